import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type Types, Schema as MongooseSchema } from 'mongoose';

@Schema({
  collection: 'form_responses',
  timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  versionKey: false,
  minimize: false,
})
export class FormResponse {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true }) form_id!: Types.ObjectId;
  @Prop({ required: true }) form_version!: number;
  /** Validated against the form version's fields, so its keys are plain field keys. */
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) data!: Record<string, unknown>;
  /**
   * `key:<Idempotency-Key>` or `id:<response id>`: always set, so one unique index makes retries with
   * the same key collide (the local store has no partial indexes to skip responses without a key).
   */
  @Prop({ required: true }) dedup_key!: string;
  /** The files its data names: erasing it erases those no other response names. */
  @Prop({ type: [MongooseSchema.Types.ObjectId], default: undefined }) file_ids?: Types.ObjectId[];
  /**
   * Files its data named until a `PATCH` dropped them: an erasure job erases those no response names
   * any more, then forgets them here. Absent when there are none.
   */
  @Prop({ type: [MongooseSchema.Types.ObjectId], default: undefined }) released_file_ids?: Types.ObjectId[];
  /**
   * Stored as spam (a filled honeypot): out of lists and exports, no quota slot, no events until a
   * member marks it not spam (`POST /responses/:id/not-spam`). Absent on responses stored before
   * spam was kept: those read as `false`, so every query asks `spam: { $ne: true }`.
   */
  @Prop({ type: Boolean, default: undefined }) spam?: boolean;
  /** Set by a deletion: from then on it answers 404 everywhere, until its erasure removes it. */
  @Prop({ type: Date, default: undefined }) deleted_at?: Date | null;
  created_at!: Date;
  updated_at!: Date;
}

export const FormResponseSchema = SchemaFactory.createForClass(FormResponse);
FormResponseSchema.index({ tenant_id: 1, form_id: 1, created_at: -1, _id: -1 });
FormResponseSchema.index({ tenant_id: 1, form_id: 1, dedup_key: 1 }, { unique: true });
// No index for erasure or retention: they run in the background and ride the tenant/form prefix above,
// while every index would cost each submission a write.
