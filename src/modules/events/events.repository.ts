import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import { GroupCommit } from '../../infrastructure/database/group-commit.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { OutboxEntry, StoredEvent } from './event.schema.js';
import { type EventEnvelope, EventType, PUBLIC_EVENT_TYPES } from './event.types.js';

const PUBLISHED_LINGER_MS = 200;
/** What a pending event has (an ordinary date, so an index on it holds the pending events alone). */
const PENDING = { relay_at: { $gte: new Date(0) } };
/** What its publication or discarding removes. */
const OUTBOX_FIELDS = { relay_at: 1, attempts: 1, last_error: 1 } as const;

/** A page request of the audit log: every filter optional, newest first. */
export interface AuditLogQuery {
  type?: EventType;
  entityId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** A pending event due for delivery, with its envelope. */
export interface PendingEvent {
  envelope: EventEnvelope;
  attempts: number;
}

@Injectable()
export class EventsRepository {
  /** Writes of concurrent requests go out together, one batch per tenant (the hot path). */
  private readonly writes = new GroupCommit<StoredEvent, void>((tenantId, events) =>
    TenantContext.runForTenant(tenantId, () => this.insertAll(events)),
  );
  /**
   * Nobody waits on a publication's bookkeeping (the answer is gone already) and the relay leaves a
   * pending event alone for EVENT_RELAY_GRACE_MS, so they linger a moment: one write of many
   * updates, each by `_id`, a few times a second instead of one per batch of requests.
   */
  private readonly publications = new GroupCommit<string, void>(
    (tenantId, ids) => TenantContext.runForTenant(tenantId, () => this.clearPending(ids)),
    5_000,
    PUBLISHED_LINGER_MS,
  );

  constructor(
    @InjectModel(StoredEvent.name) private readonly events: Model<StoredEvent>,
    @InjectModel(OutboxEntry.name) private readonly legacyOutbox: Model<OutboxEntry>,
  ) {}

  /** Stores the envelope, pending (the audit log and the outbox in one document); the relay looks at it after `relayAt`. */
  async record(envelope: EventEnvelope, relayAt: Date): Promise<void> {
    await this.writes.submit(envelope.tenant_id, {
      _id: envelope.event_id,
      tenant_id: envelope.tenant_id,
      event_type: envelope.event_type,
      timestamp: new Date(envelope.timestamp),
      user_id: envelope.user_id,
      entity_id: envelope.entity_id,
      payload: envelope.payload,
      metadata: envelope.metadata,
      relay_at: relayAt,
      attempts: 0,
    });
  }

  /** The event reached its listeners: nothing is left to deliver. */
  published(envelope: EventEnvelope): Promise<void> {
    return this.publications.submit(envelope.tenant_id, envelope.event_id);
  }

  /** The change it announced never happened: kept in the log as discarded, no longer pending. */
  async discard(eventId: string): Promise<void> {
    await this.events.updateOne({ _id: eventId }, { $set: { discarded: true }, $unset: OUTBOX_FIELDS });
  }

  /** Only while still pending: a publication that succeeded meanwhile is not undone. */
  async recordFailure(eventId: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.events.updateOne(
      { _id: eventId, ...PENDING },
      { $set: { last_error: error.slice(0, 500), relay_at: nextAttemptAt }, $inc: { attempts: 1 } },
    );
  }

  /** Pending events due for another try, oldest first, across tenants: call only in the system scope. */
  async due(now: Date, limit: number): Promise<PendingEvent[]> {
    const rows = await this.events
      .find({ relay_at: { $gte: new Date(0), $lte: now } })
      .sort({ relay_at: 1 })
      .limit(limit)
      .lean<StoredEvent[]>()
      .exec();
    return rows.map((row) => ({ envelope: toEnvelope(row), attempts: row.attempts ?? 0 }));
  }

  /**
   * Earlier releases kept pending events in `event_outbox` (an entry beside the envelope): up to
   * `limit` of them become pending events of this shape (their envelope gets `relay_at`, attempts
   * kept), then the entry goes. Call in the system scope; answers how many were moved.
   */
  async adoptLegacyOutbox(limit: number): Promise<number> {
    const entries = await this.legacyOutbox.find().limit(limit).lean<OutboxEntry[]>().exec();
    for (const entry of entries) {
      await TenantContext.runForTenant(entry.tenant_id, async () => {
        await this.events.updateOne(
          { _id: entry._id, discarded: { $ne: true } },
          { $set: { relay_at: entry.next_attempt_at, attempts: entry.attempts } },
        );
        await this.legacyOutbox.deleteOne({ _id: entry._id });
      });
    }
    return entries.length;
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
    const delivered = { timestamp: { $lt: cutoff }, relay_at: { $exists: false } };
    const old = await this.events.find(delivered, { _id: 1 }).limit(limit).lean<{ _id: string }[]>().exec();
    if (old.length === 0) return 0;
    await this.events.deleteMany({ _id: { $in: old.map((event) => event._id) }, ...delivered });
    return old.length;
  }

  /** The audit trail of one entity, newest first (its envelopes, without the delivery bookkeeping). */
  forEntity(entityId: string): Promise<StoredEvent[]> {
    return this.events
      .find({ entity_id: entityId }, { relay_at: 0, attempts: 0, last_error: 0 })
      .sort({ timestamp: -1 })
      .lean<StoredEvent[]>()
      .exec();
  }

  /** Envelopes not yet delivered, across tenants: call only in the system scope. */
  countPending(): Promise<number> {
    return this.events.countDocuments(PENDING).exec();
  }

  /** When the oldest event not yet delivered was emitted, across tenants (null: none): call only in the system scope. */
  async oldestPendingAt(): Promise<Date | null> {
    // The pending events are few (the index on relay_at finds them): sorting them costs little.
    const oldest = await this.events
      .findOne(PENDING, { timestamp: 1 })
      .sort({ timestamp: 1 })
      .lean<Pick<StoredEvent, 'timestamp'>>()
      .exec();
    return oldest?.timestamp ?? null;
  }

  /** Whether an event still waits to be delivered. */
  async isPending(eventId: string): Promise<boolean> {
    return (await this.events.exists({ _id: eventId, ...PENDING })) !== null;
  }

  private async insertAll(documents: StoredEvent[]): Promise<void[]> {
    await this.events.insertMany(documents, { ordered: false, lean: true });
    return documents.map(() => undefined);
  }

  /** One write for the batch: an update per event, each found by `_id`. */
  private async clearPending(ids: string[]): Promise<void[]> {
    await this.events.bulkWrite(
      ids.map((_id) => ({ updateOne: { filter: { _id }, update: { $unset: OUTBOX_FIELDS } } })),
      { ordered: false },
    );
    return ids.map(() => undefined);
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
