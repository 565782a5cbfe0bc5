import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { GroupCommit } from '../../infrastructure/database/group-commit.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { EventEnvelope } from './event-types.js';
import { type DeliveryState, StoredEvent } from './event.schema.js';

@Injectable()
export class EventsRepository {
  /** Envelopes of concurrent requests are written together, one batch per tenant (the hot path). */
  private readonly inserts = new GroupCommit<StoredEvent, void>((tenantId, events) =>
    TenantContext.runForTenant(tenantId, () => this.insertBatch(events)),
  );
  private readonly published = new GroupCommit<string, void>((tenantId, ids) =>
    TenantContext.runForTenant(tenantId, () => this.setDelivery(ids, 'published')),
  );

  constructor(@InjectModel(StoredEvent.name) private readonly events: Model<StoredEvent>) {}

  /** Stores the envelope as pending; the relay looks at it after `relayAt` unless it was published. */
  insert(envelope: EventEnvelope<object>, relayAt: Date): Promise<void> {
    return this.inserts.submit(envelope.tenant_id, {
      _id: envelope.event_id,
      tenant_id: envelope.tenant_id,
      event_type: envelope.event_type,
      timestamp: new Date(envelope.timestamp),
      user_id: envelope.user_id,
      entity_id: envelope.entity_id,
      payload: envelope.payload as Record<string, unknown>,
      metadata: envelope.metadata,
      delivery: 'pending',
      publish_attempts: 0,
      next_attempt_at: relayAt,
    });
  }

  markPublished(envelope: EventEnvelope<object>): Promise<void> {
    return this.published.submit(envelope.tenant_id, envelope.event_id);
  }

  async markDiscarded(eventId: string): Promise<void> {
    await this.setDelivery([eventId], 'discarded');
  }

  async recordFailure(eventId: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.events.updateOne(
      { _id: eventId, delivery: 'pending' },
      { $set: { last_error: error.slice(0, 500), next_attempt_at: nextAttemptAt }, $inc: { publish_attempts: 1 } },
    );
  }

  /** Pending envelopes due for another try, across tenants: call only in the system scope. */
  duePending(now: Date, limit: number): Promise<StoredEvent[]> {
    return this.events
      .find({ delivery: 'pending', next_attempt_at: { $lte: now } })
      .sort({ next_attempt_at: 1 })
      .limit(limit)
      .lean<StoredEvent[]>()
      .exec();
  }

  /** The audit trail of one entity, newest first. */
  forEntity(entityId: string): Promise<StoredEvent[]> {
    return this.events.find({ entity_id: entityId }).sort({ timestamp: -1 }).lean<StoredEvent[]>().exec();
  }

  private async insertBatch(events: StoredEvent[]): Promise<void[]> {
    await this.events.insertMany(events, { ordered: false, lean: true });
    return events.map(() => undefined);
  }

  private async setDelivery(ids: string[], delivery: DeliveryState): Promise<void[]> {
    await this.events.updateMany(
      { _id: { $in: ids }, delivery: 'pending' },
      { $set: { delivery }, $unset: { next_attempt_at: 1 } },
    );
    return ids.map(() => undefined);
  }
}

export function toEnvelope(event: StoredEvent): EventEnvelope {
  return {
    event_id: event._id,
    event_type: event.event_type,
    timestamp: event.timestamp.toISOString(),
    tenant_id: event.tenant_id,
    user_id: event.user_id,
    entity_id: event.entity_id,
    payload: event.payload,
    metadata: event.metadata,
  };
}
