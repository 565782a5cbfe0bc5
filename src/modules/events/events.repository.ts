import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { GroupCommit } from '../../infrastructure/database/group-commit.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { EventEnvelope } from './event.types.js';
import { OutboxEntry, StoredEvent } from './event.schema.js';

/** An outbox entry due for delivery, with its envelope. */
export interface PendingEvent {
  envelope: EventEnvelope;
  attempts: number;
}

@Injectable()
export class EventsRepository {
  /** Writes of concurrent requests go out together, one batch per tenant (the hot path). */
  private readonly logWrites = new GroupCommit<StoredEvent, void>((tenantId, events) =>
    TenantContext.runForTenant(tenantId, () => this.insertAll(this.events, events)),
  );
  private readonly outboxWrites = new GroupCommit<OutboxEntry, void>((tenantId, entries) =>
    TenantContext.runForTenant(tenantId, () => this.insertAll(this.outbox, entries)),
  );
  private readonly outboxRemovals = new GroupCommit<string, void>((tenantId, ids) =>
    TenantContext.runForTenant(tenantId, async () => {
      await this.outbox.deleteMany({ _id: { $in: ids } });
      return ids.map(() => undefined);
    }),
  );

  constructor(
    @InjectModel(StoredEvent.name) private readonly events: Model<StoredEvent>,
    @InjectModel(OutboxEntry.name) private readonly outbox: Model<OutboxEntry>,
  ) {}

  /** Stores the envelope in the audit log and the outbox; the relay looks at it after `relayAt`. */
  async record(envelope: EventEnvelope<object>, relayAt: Date): Promise<void> {
    const { event_id: _id, tenant_id } = envelope;
    await Promise.all([
      this.logWrites.submit(tenant_id, {
        _id,
        tenant_id,
        event_type: envelope.event_type,
        timestamp: new Date(envelope.timestamp),
        user_id: envelope.user_id,
        entity_id: envelope.entity_id,
        payload: envelope.payload as Record<string, unknown>,
        metadata: envelope.metadata,
      }),
      this.outboxWrites.submit(tenant_id, { _id, tenant_id, next_attempt_at: relayAt, attempts: 0 }),
    ]);
  }

  /** The event reached its listeners: nothing is left to deliver. */
  published(envelope: EventEnvelope<object>): Promise<void> {
    return this.outboxRemovals.submit(envelope.tenant_id, envelope.event_id);
  }

  async discard(eventId: string): Promise<void> {
    await this.events.updateOne({ _id: eventId }, { $set: { discarded: true } });
    await this.outbox.deleteOne({ _id: eventId });
  }

  async recordFailure(eventId: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.outbox.updateOne(
      { _id: eventId },
      { $set: { last_error: error.slice(0, 500), next_attempt_at: nextAttemptAt }, $inc: { attempts: 1 } },
    );
  }

  /** Outbox entries due for another try, across tenants: call only in the system scope. */
  due(now: Date, limit: number): Promise<OutboxEntry[]> {
    return this.outbox
      .find({ next_attempt_at: { $lte: now } })
      .sort({ next_attempt_at: 1 })
      .limit(limit)
      .lean<OutboxEntry[]>()
      .exec();
  }

  /** The envelope of an outbox entry, in the entry's tenant. */
  async pending(entry: OutboxEntry): Promise<PendingEvent | null> {
    const envelope = await this.envelope(entry._id);
    return envelope ? { envelope, attempts: entry.attempts } : null;
  }

  async envelope(eventId: string): Promise<EventEnvelope | null> {
    const event = await this.events.findOne({ _id: eventId }).lean<StoredEvent>().exec();
    return event ? toEnvelope(event) : null;
  }

  /** The audit trail of one entity, newest first. */
  forEntity(entityId: string): Promise<StoredEvent[]> {
    return this.events.find({ entity_id: entityId }).sort({ timestamp: -1 }).lean<StoredEvent[]>().exec();
  }

  /** Envelopes not yet delivered, across tenants: call only in the system scope. */
  countPending(): Promise<number> {
    return this.outbox.countDocuments().exec();
  }

  /** Whether an event still waits in the outbox. */
  async isPending(eventId: string): Promise<boolean> {
    return (await this.outbox.exists({ _id: eventId })) !== null;
  }

  private async insertAll<T>(model: Model<T>, documents: T[]): Promise<void[]> {
    await model.insertMany(documents, { ordered: false, lean: true });
    return documents.map(() => undefined);
  }
}

function toEnvelope(event: StoredEvent): EventEnvelope {
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
