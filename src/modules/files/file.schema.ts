import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Types } from 'mongoose';

@Schema({ collection: 'files', timestamps: { createdAt: 'created_at', updatedAt: false }, versionKey: false })
export class StoredFile {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) filename!: string;
  @Prop({ required: true }) content_type!: string;
  @Prop({ required: true }) size!: number;
  @Prop({ required: true }) storage_key!: string;
  @Prop() uploaded_by?: string;
  created_at!: Date;
}

export const StoredFileSchema = SchemaFactory.createForClass(StoredFile);
StoredFileSchema.index({ tenant_id: 1, created_at: -1 });
