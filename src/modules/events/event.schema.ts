import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { EventEnvelope, EventType } from './event.types.js';

/**
 * `events`: every envelope, written before the change it announces; the tenant's audit log.
 * Insert-only on the hot path (the local store scans a whole collection for an update).
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
  /** Set when the change it announced never happened (its write failed or the process died). */
  @Prop() discarded?: boolean;
  /** Set when the respondent data of its payload was erased (the response was deleted or retired). */
  @Prop() redacted?: boolean;
}

export const StoredEventSchema = SchemaFactory.createForClass(StoredEvent);
/** The audit log API's pages, newest first, unfiltered or by type or entity; retention's cut-off. */
StoredEventSchema.index({ tenant_id: 1, timestamp: -1, _id: -1 });
StoredEventSchema.index({ tenant_id: 1, event_type: 1, timestamp: -1, _id: -1 });
StoredEventSchema.index({ tenant_id: 1, entity_id: 1, timestamp: -1, _id: -1 });

/**
 * `event_outbox`: the envelopes not yet handed to the queues. Small by design: an entry is removed
 * as soon as its event is published, so the relay's scan stays cheap.
 */
@Schema({ collection: 'event_outbox', versionKey: false })
export class OutboxEntry {
  /** The event_id. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) next_attempt_at!: Date;
  @Prop({ required: true, default: 0 }) attempts!: number;
  @Prop() last_error?: string;
}

export const OutboxEntrySchema = SchemaFactory.createForClass(OutboxEntry);
/** The relay's scan over every tenant (system scope); `system_` names indexes without tenant_id first. */
OutboxEntrySchema.index({ next_attempt_at: 1 }, { name: 'system_relay_due' });
