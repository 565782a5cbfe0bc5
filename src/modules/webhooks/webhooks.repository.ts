import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import type { Model, Types } from 'mongoose';
import { KeyedMutex } from '../../infrastructure/database/keyed-mutex.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { type DeliveryAttempt, type DeliveryStatus, Webhook, WebhookDelivery } from './webhook.schema.js';

export type WebhookRecord = Webhook;

const ACTIVE_CACHE_TTL_MS = 2_000;
export type DeliveryRecord = WebhookDelivery;

@Injectable()
export class WebhooksRepository {
  /** Attempts of one delivery are recorded one at a time: see `KeyedMutex` for why. */
  private readonly deliveryWrites = new KeyedMutex();
  /**
   * Every event asks for its tenant's subscriptions; caching them briefly keeps that query off the
   * submission path. Changes made here clear it; another process sees them within the TTL.
   */
  private readonly activeByTenant = new LRUCache<string, WebhookRecord[]>({ max: 10_000, ttl: ACTIVE_CACHE_TTL_MS });

  constructor(
    @InjectModel(Webhook.name) private readonly webhooks: Model<Webhook>,
    @InjectModel(WebhookDelivery.name) private readonly deliveries: Model<WebhookDelivery>,
  ) {}

  async create(webhook: Pick<Webhook, 'url' | 'events' | 'secret'>): Promise<WebhookRecord> {
    const created = (await this.webhooks.create(webhook)).toObject();
    this.activeByTenant.delete(TenantContext.tenantId());
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

  async activeFor(eventType: string): Promise<WebhookRecord[]> {
    const tenantId = TenantContext.tenantId();
    let active = this.activeByTenant.get(tenantId);
    if (!active) {
      active = await this.webhooks.find({ active: true }).lean<WebhookRecord[]>().exec();
      this.activeByTenant.set(tenantId, active);
    }
    return active.filter((webhook) => webhook.events.includes(eventType));
  }

  async delete(id: Types.ObjectId): Promise<boolean> {
    this.activeByTenant.delete(TenantContext.tenantId());
    return (await this.webhooks.deleteOne({ _id: id })).deletedCount === 1;
  }

  async disable(id: Types.ObjectId, reason: string): Promise<void> {
    this.activeByTenant.delete(TenantContext.tenantId());
    await this.webhooks.updateOne({ _id: id }, { $set: { active: false, disabled_reason: reason } });
  }

  /**
   * Replaces the secret `current` with `next`; `current` keeps signing until `previousUntil`. False when
   * the stored secret is no longer `current` (another rotation came first) or the webhook is gone.
   */
  async replaceSecret(id: Types.ObjectId, current: string, next: string, previousUntil: Date): Promise<boolean> {
    this.activeByTenant.delete(TenantContext.tenantId());
    const replaced = await this.webhooks.updateOne(
      { _id: id, secret: current },
      { $set: { secret: next, previous_secret: current, previous_secret_expires_at: previousUntil } },
    );
    return replaced.matchedCount === 1;
  }

  /** Records that a delivery is due (again); creates it on first sight. */
  async markPending(webhookId: Types.ObjectId, eventId: string): Promise<void> {
    await this.deliveryWrites.run(`${webhookId.toHexString()}.${eventId}`, async () => {
      await this.deliveries.updateOne(
        { webhook_id: webhookId, event_id: eventId },
        { $set: { status: 'pending' }, $setOnInsert: { attempts: 0, attempt_log: [] } },
        { upsert: true },
      );
    });
  }

  async recordAttempt(
    webhookId: Types.ObjectId,
    eventId: string,
    attempt: DeliveryAttempt,
    status: DeliveryStatus,
  ): Promise<void> {
    await this.deliveryWrites.run(`${webhookId.toHexString()}.${eventId}`, async () => {
      await this.deliveries.updateOne(
        { webhook_id: webhookId, event_id: eventId },
        {
          $set: { status, response_status: attempt.response_status, last_error: attempt.error },
          $inc: { attempts: 1 },
          $push: { attempt_log: attempt },
        },
        { upsert: true },
      );
    });
  }

  listDeliveries(webhookId: Types.ObjectId): Promise<DeliveryRecord[]> {
    return this.deliveries
      .find({ webhook_id: webhookId })
      .sort({ created_at: -1 })
      .limit(100)
      .lean<DeliveryRecord[]>()
      .exec();
  }

  findDelivery(webhookId: Types.ObjectId, eventId: string): Promise<DeliveryRecord | null> {
    return this.deliveries.findOne({ webhook_id: webhookId, event_id: eventId }).lean<DeliveryRecord>().exec();
  }
}
