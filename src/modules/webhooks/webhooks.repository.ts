import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import type { Model, Types } from 'mongoose';
import { afterCursor, NEWEST_FIRST, type Page, toPage } from '../../infrastructure/database/cursor-page.js';
import { KeyedMutex } from '../../infrastructure/database/keyed-mutex.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import {
  type DeliveryAttempt,
  type DeliveryStatus,
  Webhook,
  WebhookDelivery,
  type WebhookDisabledReason,
} from './webhook.schema.js';

export type WebhookRecord = Webhook;
/** What `PATCH` and the delivery rules change of a webhook. */
export type WebhookChanges = Partial<
  Pick<Webhook, 'url' | 'events' | 'form_ids' | 'active' | 'disabled_reason' | 'failing_since' | 'consecutive_failures'>
>;

const ACTIVE_CACHE_TTL_MS = 2_000;
export type DeliveryRecord = WebhookDelivery;

@Injectable()
export class WebhooksRepository {
  /** Attempts of one delivery are recorded one at a time: see `KeyedMutex` for why. */
  private readonly deliveryWrites = new KeyedMutex();
  /**
   * Every event asks for its tenant's subscriptions; caching them briefly keeps that query off the
   * submission path. A change made through this process clears its tenant's entry once written, so
   * the next event here sees it; another process (a replica, the worker disabling a webhook) sees it
   * within ACTIVE_CACHE_TTL_MS.
   */
  private readonly byTenant = new LRUCache<string, WebhookRecord[]>({ max: 10_000, ttl: ACTIVE_CACHE_TTL_MS });
  /**
   * Counts changes made here: a read that was under way while one was written may hold the old list,
   * so it is not cached (else the change would wait out the TTL on this replica too).
   */
  private changes = 0;

  constructor(
    @InjectModel(Webhook.name) private readonly webhooks: Model<Webhook>,
    @InjectModel(WebhookDelivery.name) private readonly deliveries: Model<WebhookDelivery>,
  ) {}

  async create(webhook: Pick<Webhook, 'url' | 'events' | 'secret' | 'form_ids'>): Promise<WebhookRecord> {
    const created = (await this.webhooks.create(webhook)).toObject();
    this.changed();
    return created;
  }

  /** Every subscription of the tenant, disabled ones included (they count towards `max_webhooks`). */
  count(): Promise<number> {
    return this.webhooks.countDocuments().exec();
  }

  list(): Promise<WebhookRecord[]> {
    return this.webhooks.find().sort({ created_at: -1 }).lean<WebhookRecord[]>().exec();
  }

  findById(id: Types.ObjectId): Promise<WebhookRecord | null> {
    return this.webhooks.findOne({ _id: id }).lean<WebhookRecord>().exec();
  }

  /**
   * The subscriptions an event concerns, enabled or not: its type, and its form when the webhook names
   * forms (`form_ids`) and the event has one (`formId` null: an event of no form reaches them all).
   */
  async subscribersOf(eventType: string, formId: string | null): Promise<WebhookRecord[]> {
    const tenantId = TenantContext.tenantId();
    let all = this.byTenant.get(tenantId);
    if (!all) {
      const changesBefore = this.changes;
      all = await this.webhooks.find().lean<WebhookRecord[]>().exec();
      if (changesBefore === this.changes) this.byTenant.set(tenantId, all);
    }
    return all.filter(
      (webhook) =>
        webhook.events.includes(eventType) &&
        (!webhook.form_ids || formId === null || webhook.form_ids.includes(formId)),
    );
  }

  async update(id: Types.ObjectId, changes: WebhookChanges): Promise<WebhookRecord | null> {
    const updated = await this.webhooks
      .findOneAndUpdate({ _id: id }, { $set: changes }, { returnDocument: 'after' })
      .lean<WebhookRecord>()
      .exec();
    this.changed();
    return updated;
  }

  /** A failed delivery: starts the failing run if none is running and counts it; answers the webhook after. */
  async recordFailure(id: Types.ObjectId, at: Date): Promise<WebhookRecord | null> {
    await this.webhooks.updateOne({ _id: id, failing_since: null }, { $set: { failing_since: at } });
    return this.webhooks
      .findOneAndUpdate({ _id: id }, { $inc: { consecutive_failures: 1 } }, { returnDocument: 'after' })
      .lean<WebhookRecord>()
      .exec();
  }

  /** A delivery succeeded: ends the failing run (a write only when one was running). */
  async recordSuccess(id: Types.ObjectId): Promise<void> {
    await this.webhooks.updateOne(
      { _id: id, consecutive_failures: { $gt: 0 } },
      { $set: { consecutive_failures: 0, failing_since: null } },
    );
  }

  async delete(id: Types.ObjectId): Promise<boolean> {
    const deleted = (await this.webhooks.deleteOne({ _id: id })).deletedCount === 1;
    this.changed();
    return deleted;
  }

  /** Turns an enabled webhook off; false when it was off already (so only one disabling sends email). */
  async disable(id: Types.ObjectId, reason: WebhookDisabledReason): Promise<boolean> {
    const result = await this.webhooks.updateOne(
      { _id: id, active: true },
      { $set: { active: false, disabled_reason: reason } },
    );
    this.changed();
    return result.modifiedCount === 1;
  }

  /**
   * Replaces the secret `current` with `next`; `current` keeps signing until `previousUntil`. False when
   * the stored secret is no longer `current` (another rotation came first) or the webhook is gone.
   */
  async replaceSecret(id: Types.ObjectId, current: string, next: string, previousUntil: Date): Promise<boolean> {
    const replaced = await this.webhooks.updateOne(
      { _id: id, secret: current },
      { $set: { secret: next, previous_secret: current, previous_secret_expires_at: previousUntil } },
    );
    this.changed();
    return replaced.matchedCount === 1;
  }

  /** After a write to the tenant's subscriptions: the next event here reads them again. */
  private changed(): void {
    this.changes += 1;
    this.byTenant.delete(TenantContext.tenantId());
  }

  /** Records that a delivery is due (again); creates it on first sight. */
  async markPending(webhookId: Types.ObjectId, eventId: string, eventType?: string): Promise<void> {
    await this.settle(webhookId, eventId, { status: 'pending' }, eventType);
  }

  /** Records a delivery that was not attempted (its webhook is off) as failed, for a bulk retry to bring back. */
  async markNotSent(webhookId: Types.ObjectId, eventId: string, reason: string, eventType?: string): Promise<void> {
    await this.settle(webhookId, eventId, { status: 'failed', last_error: reason }, eventType);
  }

  private async settle(
    webhookId: Types.ObjectId,
    eventId: string,
    set: Partial<WebhookDelivery>,
    eventType?: string,
  ): Promise<void> {
    await this.deliveryWrites.run(`${webhookId.toHexString()}.${eventId}`, async () => {
      await this.deliveries.updateOne(
        { webhook_id: webhookId, event_id: eventId },
        { $set: set, $setOnInsert: { attempts: 0, attempt_log: [], ...(eventType ? { event_type: eventType } : {}) } },
        { upsert: true },
      );
    });
  }

  /** Queued again in bulk: every named delivery back to pending. */
  async markManyPending(webhookId: Types.ObjectId, eventIds: string[]): Promise<void> {
    await this.deliveries.updateMany(
      { webhook_id: webhookId, event_id: { $in: eventIds } },
      { $set: { status: 'pending' } },
    );
  }

  async recordAttempt(
    webhookId: Types.ObjectId,
    eventId: string,
    attempt: DeliveryAttempt,
    status: DeliveryStatus,
    eventType?: string,
  ): Promise<void> {
    await this.deliveryWrites.run(`${webhookId.toHexString()}.${eventId}`, async () => {
      await this.deliveries.updateOne(
        { webhook_id: webhookId, event_id: eventId },
        {
          $set: { status, response_status: attempt.response_status, last_error: attempt.error },
          ...(eventType ? { $setOnInsert: { event_type: eventType } } : {}),
          $inc: { attempts: 1 },
          $push: { attempt_log: attempt },
        },
        { upsert: true },
      );
    });
  }

  async listDeliveries(
    webhookId: Types.ObjectId,
    query: { status?: DeliveryStatus; cursor?: string; limit: number },
  ): Promise<Page<DeliveryRecord>> {
    const rows = await this.deliveries
      .find({ webhook_id: webhookId, ...(query.status ? { status: query.status } : {}), ...afterCursor(query.cursor) })
      .sort(NEWEST_FIRST)
      .limit(query.limit + 1)
      .lean<DeliveryRecord[]>()
      .exec();
    return toPage(rows, query.limit);
  }

  /** One batch of failed deliveries created since `since`, newest first, after `cursor` (keyset). */
  failedSince(
    webhookId: Types.ObjectId,
    since: Date,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<DeliveryRecord>> {
    return this.deliveries
      .find({ webhook_id: webhookId, status: 'failed', created_at: { $gte: since }, ...afterCursor(cursor) })
      .sort(NEWEST_FIRST)
      .limit(limit + 1)
      .select({ event_id: 1, attempts: 1, created_at: 1 })
      .lean<DeliveryRecord[]>()
      .exec()
      .then((rows) => toPage(rows, limit));
  }

  findDelivery(webhookId: Types.ObjectId, eventId: string): Promise<DeliveryRecord | null> {
    return this.deliveries.findOne({ webhook_id: webhookId, event_id: eventId }).lean<DeliveryRecord>().exec();
  }
}
