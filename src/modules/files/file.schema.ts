import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Types } from 'mongoose';

/**
 * What a file is kept for, when not for responses: `export` is an export's CSV, written by the
 * exports module, which no response may name and only its export's erasure erases. Absent for
 * uploads (members' through `POST /files`, visitors' to a form).
 */
export type FilePurpose = 'export';

@Schema({ collection: 'files', timestamps: { createdAt: 'created_at', updatedAt: false }, versionKey: false })
export class StoredFile {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) filename!: string;
  @Prop({ required: true }) content_type!: string;
  @Prop({ required: true }) size!: number;
  @Prop({ required: true }) storage_key!: string;
  @Prop() uploaded_by?: string;
  /** Set for an anonymous upload to a published form: usable only in submissions to that form. */
  @Prop({ type: MongooseSchema.Types.ObjectId, default: null }) form_id?: Types.ObjectId | null;
  @Prop({ type: String, enum: ['export'], default: undefined }) purpose?: FilePurpose;
  /** When a response first used it; an anonymous upload never used within 24 h is erased. */
  @Prop({ type: Date, default: null }) used_at?: Date | null;
  created_at!: Date;
}

export const StoredFileSchema = SchemaFactory.createForClass(StoredFile);
StoredFileSchema.index({ tenant_id: 1, created_at: -1 });
