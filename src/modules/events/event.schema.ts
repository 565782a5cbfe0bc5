import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { EventEnvelope, EventType } from './event-types.js';

export const DELIVERY_STATES = ['pending', 'published', 'discarded'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * `events`: every envelope, written before the change it announces, so a 201 never loses an event.
 * Doubles as the tenant's audit log. `delivery` tracks the hand-over to the background queues.
 */
@Schema({ collection: 'events', versionKey: false, minimize: false })
export class StoredEvent {
  /** The envelope's event_id. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ type: String, required: true }) event_type!: EventType;
  @Prop({ required: true }) timestamp!: Date;
  @Prop({ type: String, default: null }) user_id!: string | null;
  @Prop({ required: true }) entity_id!: string;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) payload!: Record<string, unknown>;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) metadata!: EventEnvelope['metadata'];
  @Prop({ type: String, required: true, enum: DELIVERY_STATES, default: 'pending' }) delivery!: DeliveryState;
  @Prop({ required: true, default: 0 }) publish_attempts!: number;
  @Prop() next_attempt_at?: Date;
  @Prop() last_error?: string;
}

export const StoredEventSchema = SchemaFactory.createForClass(StoredEvent);
StoredEventSchema.index({ tenant_id: 1, timestamp: -1 });
StoredEventSchema.index({ tenant_id: 1, entity_id: 1, timestamp: -1 });
/**
 * The relay's scan over every tenant (it runs in the system scope): only the small pending range is
 * read. `system_` names the indexes that deliberately do not start with tenant_id.
 */
StoredEventSchema.index({ delivery: 1, next_attempt_at: 1 }, { name: 'system_relay_pending' });
