import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Types } from 'mongoose';

/** `retention_runs`: what each daily retention run erased in one tenant (kept for its owner and auditors). */
@Schema({ collection: 'retention_runs', versionKey: false })
export class RetentionRun {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) started_at!: Date;
  @Prop({ required: true }) finished_at!: Date;
  /** Responses created before this were erased; null when the tenant keeps responses forever. */
  @Prop({ type: Date, default: null }) responses_before!: Date | null;
  @Prop({ required: true }) responses_erased!: number;
  /** Spam created before this was erased (`spam_retention_days`); null when the tenant keeps spam. */
  @Prop({ type: Date, default: null }) spam_before!: Date | null;
  @Prop({ default: 0 }) spam_erased!: number;
  @Prop({ required: true }) audit_entries_before!: Date;
  @Prop({ required: true }) audit_entries_erased!: number;
  /** Erasures of deleted forms and responses that a lost or killed job had left unfinished. */
  @Prop({ required: true }) interrupted_erasures_finished!: number;
}

export const RetentionRunSchema = SchemaFactory.createForClass(RetentionRun);
RetentionRunSchema.index({ tenant_id: 1, started_at: -1 });
