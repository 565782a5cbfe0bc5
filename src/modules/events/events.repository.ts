import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import { GroupCommit } from '../../infrastructure/database/group-commit.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { OutboxEntry, StoredEvent } from './event.schema.js';
import { type EventEnvelope, EventType, PUBLIC_EVENT_TYPES } from './event.types.js';

const OUTBOX_REMOVAL_LINGER_MS = 200;
/** How many outbox entries `oldestPendingAt` looks at: the outbox is small unless delivery is stuck. */
const OLDEST_PENDING_SCAN = 1_000;

/** A page request of the audit log: every filter optional, newest first. */
export interface AuditLogQuery {
  type?: EventType;
  entityId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

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
  /**
   * Nobody waits on a removal (the answer is gone already) and the relay leaves an entry alone for
   * EVENT_RELAY_GRACE_MS, so removals linger a moment: a few deletes a second instead of one per batch.
   */
  private readonly outboxRemovals = new GroupCommit<string, void>(
    (tenantId, ids) =>
      TenantContext.runForTenant(tenantId, async () => {
        await this.outbox.deleteMany({ _id: { $in: ids } });
        return ids.map(() => undefined);
      }),
    5_000,
    OUTBOX_REMOVAL_LINGER_MS,
  );

  constructor(
    @InjectModel(StoredEvent.name) private readonly events: Model<StoredEvent>,
    @InjectModel(OutboxEntry.name) private readonly outbox: Model<OutboxEntry>,
  ) {}

  /**
   * Stores the outbox entry, then the envelope in the audit log; the relay looks at it after `relayAt`.
   * In that order so that an outage between the two writes leaves only an entry the relay can settle
   * (no envelope: discarded), never an audit-log envelope no relay will ever look at.
   */
  async record(envelope: EventEnvelope, relayAt: Date): Promise<void> {
    const { event_id: _id, tenant_id } = envelope;
    await this.outboxWrites.submit(tenant_id, { _id, tenant_id, next_attempt_at: relayAt, attempts: 0 });
    await this.logWrites.submit(tenant_id, {
      _id,
      tenant_id,
      event_type: envelope.event_type,
      timestamp: new Date(envelope.timestamp),
      user_id: envelope.user_id,
      entity_id: envelope.entity_id,
      payload: envelope.payload,
      metadata: envelope.metadata,
    });
  }

  /** The event reached its listeners: nothing is left to deliver. */
  published(envelope: EventEnvelope): Promise<void> {
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

  /**
   * The tenant's audit log as delivered, newest first: the contract's event types (internal ones only
   * carry email work), never an event whose change did not happen. Keyset-paged on (timestamp, _id).
   */
  async page(query: AuditLogQuery): Promise<Page<EventEnvelope>> {
    const timestamp: Record<string, Date> = {};
    if (query.from) timestamp.$gte = query.from;
    if (query.to) timestamp.$lte = query.to;
    const filter = {
      event_type: query.type ?? { $in: PUBLIC_EVENT_TYPES },
      ...(query.entityId !== undefined ? { entity_id: query.entityId } : {}),
      ...(query.from || query.to ? { timestamp } : {}),
      discarded: { $ne: true },
      ...afterAuditCursor(query.cursor),
    };
    const rows = await this.events
      .find(filter)
      .sort({ timestamp: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<StoredEvent[]>()
      .exec();
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const next_cursor =
      rows.length > query.limit && last
        ? Buffer.from(`${last.timestamp.getTime()}:${last._id}`).toString('base64url')
        : null;
    return { items: items.map(toEnvelope), next_cursor };
  }

  /**
   * Erases the respondent data (`payload.data`) from every stored event of these entities; the
   * envelopes stay, marked `redacted`. Idempotent: a rerun finds nothing left to change.
   */
  async redactEntities(entityIds: string[]): Promise<number> {
    const result = await this.events.updateMany(
      { entity_id: { $in: entityIds }, 'payload.data': { $exists: true } },
      { $unset: { 'payload.data': 1 }, $set: { redacted: true } },
    );
    return result.modifiedCount;
  }

  /**
   * Erases a removed member's name and email from the payloads that carry them: the invitations that
   * brought them in (sent to their address before they joined), the invitations they sent (their
   * name as the inviter), and last their `user.registered`, where their address is read from (so a
   * rerun after a crash finds it). Envelopes stay, marked `redacted`. Answers how many were changed.
   */
  async redactMember(userId: string): Promise<number> {
    const registered = await this.events
      .find({ entity_id: userId, event_type: EventType.UserRegistered }, { payload: 1, timestamp: 1 })
      .lean<Pick<StoredEvent, 'payload' | 'timestamp'>[]>()
      .exec();
    let redacted = 0;
    for (const { payload, timestamp } of registered) {
      if (typeof payload.email !== 'string') continue;
      redacted += await this.redact(
        { event_type: EventType.InvitationCreated, 'payload.email': payload.email, timestamp: { $lte: timestamp } },
        ['email', 'name'],
      );
    }
    redacted += await this.redact({ event_type: EventType.InvitationCreated, user_id: userId }, ['inviter']);
    redacted += await this.redact({ event_type: EventType.UserRegistered, entity_id: userId }, ['email', 'name']);
    return redacted;
  }

  private async redact(filter: Record<string, unknown>, fields: string[]): Promise<number> {
    const paths = fields.map((field) => `payload.${field}`);
    const result = await this.events.updateMany(
      { ...filter, $or: paths.map((path) => ({ [path]: { $exists: true } })) },
      { $unset: Object.fromEntries(paths.map((path) => [path, 1])), $set: { redacted: true } },
    );
    return result.modifiedCount;
  }

  /** Erases up to `limit` of the tenant's audit entries older than `cutoff` that nothing waits to deliver. */
  async eraseOlderThan(cutoff: Date, limit: number): Promise<number> {
    const old = await this.events
      .find({ timestamp: { $lt: cutoff } }, { _id: 1 })
      .limit(limit)
      .lean<{ _id: string }[]>()
      .exec();
    if (old.length === 0) return 0;
    const ids = old.map((event) => event._id);
    const waiting = await this.outbox
      .find({ _id: { $in: ids } }, { _id: 1 })
      .lean<{ _id: string }[]>()
      .exec();
    const keep = new Set(waiting.map((entry) => entry._id));
    const erasable = ids.filter((id) => !keep.has(id));
    if (erasable.length) await this.events.deleteMany({ _id: { $in: erasable } });
    return erasable.length;
  }

  /** The audit trail of one entity, newest first. */
  forEntity(entityId: string): Promise<StoredEvent[]> {
    return this.events.find({ entity_id: entityId }).sort({ timestamp: -1 }).lean<StoredEvent[]>().exec();
  }

  /** Envelopes not yet delivered, across tenants: call only in the system scope. */
  countPending(): Promise<number> {
    return this.outbox.countDocuments().exec();
  }

  /**
   * When the oldest event still waiting in the outbox happened, across tenants (null when the outbox
   * is empty): call only in the system scope. Entries carry no time of their own, so this reads their
   * events' timestamps. It looks at the first 1,000 entries due: a stuck outbox holds more only when
   * delivery has been stopped for long, and `events_undelivered` says how many wait.
   */
  async oldestPendingAt(): Promise<Date | null> {
    const waiting = await this.outbox
      .find({}, { _id: 1 })
      .sort({ next_attempt_at: 1 })
      .limit(OLDEST_PENDING_SCAN)
      .lean<{ _id: string }[]>()
      .exec();
    if (waiting.length === 0) return null;
    const oldest = await this.events
      .findOne({ _id: { $in: waiting.map((entry) => entry._id) } }, { timestamp: 1 })
      .sort({ timestamp: 1 })
      .lean<Pick<StoredEvent, 'timestamp'>>()
      .exec();
    return oldest?.timestamp ?? null;
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

/** Stored as emitted: its payload was checked against the event catalog then (less what an erasure redacted). */
function toEnvelope(event: StoredEvent): EventEnvelope {
  return {
    event_id: event._id,
    event_type: event.event_type,
    timestamp: event.timestamp.toISOString(),
    tenant_id: event.tenant_id,
    user_id: event.user_id,
    entity_id: event.entity_id,
    payload: event.payload as EventEnvelope['payload'],
    metadata: event.metadata,
    ...(event.redacted ? { redacted: true as const } : {}),
  };
}

function afterAuditCursor(cursor: string | undefined): Record<string, unknown> {
  if (cursor === undefined) return {};
  const match = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw ApiError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
  const at = new Date(Number(match[1]));
  return { $or: [{ timestamp: { $lt: at } }, { timestamp: at, _id: { $lt: match[2] } }] };
}
