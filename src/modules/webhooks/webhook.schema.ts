import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Types } from 'mongoose';

/** Why a webhook is off: its deliveries kept failing, or its receiver answered 410 Gone. */
export const WEBHOOK_DISABLED_REASONS = ['failing', 'gone'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

@Schema({ collection: 'webhooks', timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false })
export class Webhook {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) url!: string;
  @Prop({ type: [String], required: true }) events!: string[];
  /**
   * Signs every delivery (HMAC-SHA256); shown when the subscription is created and when rotated.
   * `whsec_` + base64 of 32 random bytes, or, made before those, 64 hex characters. Kept as it is
   * (an HMAC needs the secret itself, a hash of it would not sign), and never read into an answer.
   */
  @Prop({ required: true }) secret!: string;
  /** The secret a rotation replaced: it signs beside the new one until `previous_secret_expires_at`. */
  @Prop({ type: String, default: null }) previous_secret?: string | null;
  @Prop({ type: Date, default: null }) previous_secret_expires_at?: Date | null;
  /** Stored as `active`; answered as `enabled`. */
  @Prop({ required: true, default: true }) active!: boolean;
  @Prop({ type: String, default: null }) disabled_reason!: WebhookDisabledReason | null;
  /** Only events of these forms (events that name no form still reach it); null: every form. */
  @Prop({ type: [String], default: null }) form_ids!: string[] | null;
  /** When the current run of failed deliveries began (null: the last one succeeded). */
  @Prop({ type: Date, default: null }) failing_since!: Date | null;
  /** Failed deliveries since the last success: with `failing_since`, the cheap test of the 72-hour rule. */
  @Prop({ type: Number, default: 0 }) consecutive_failures!: number;
  created_at!: Date;
  updated_at!: Date;
}

export const WebhookSchema = SchemaFactory.createForClass(Webhook);
WebhookSchema.index({ tenant_id: 1, created_at: -1 });

@Schema({ _id: false, versionKey: false })
export class DeliveryAttempt {
  @Prop({ required: true }) at!: Date;
  @Prop({ type: Number, default: null }) response_status!: number | null;
  @Prop({ type: String, default: null }) error!: string | null;
  @Prop({ required: true }) duration_ms!: number;
}

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** `webhook_deliveries`: one per (event, subscription), with every attempt it took. */
@Schema({
  collection: 'webhook_deliveries',
  timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  versionKey: false,
})
export class WebhookDelivery {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true }) webhook_id!: Types.ObjectId;
  @Prop({ required: true }) event_id!: string;
  /** Absent on deliveries recorded before it was kept. */
  @Prop({ type: String }) event_type?: string;
  @Prop({ type: String, required: true, enum: DELIVERY_STATUSES, default: 'pending' }) status!: DeliveryStatus;
  @Prop({ required: true, default: 0 }) attempts!: number;
  @Prop({ type: Number, default: null }) response_status!: number | null;
  @Prop({ type: String, default: null }) last_error!: string | null;
  @Prop({ type: [SchemaFactory.createForClass(DeliveryAttempt)], default: [] }) attempt_log!: DeliveryAttempt[];
  created_at!: Date;
  updated_at!: Date;
}

export const WebhookDeliverySchema = SchemaFactory.createForClass(WebhookDelivery);
WebhookDeliverySchema.index({ tenant_id: 1, webhook_id: 1, event_id: 1 }, { unique: true });
WebhookDeliverySchema.index({ tenant_id: 1, webhook_id: 1, created_at: -1, _id: -1 });
WebhookDeliverySchema.index({ tenant_id: 1, webhook_id: 1, status: 1, created_at: -1, _id: -1 });
