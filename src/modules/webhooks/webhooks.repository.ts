import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { KeyedMutex } from '../../infrastructure/database/keyed-mutex.js';
import { type DeliveryAttempt, type DeliveryStatus, Webhook, WebhookDelivery } from './webhook.schema.js';

export type WebhookRecord = Webhook;
export type DeliveryRecord = WebhookDelivery;

@Injectable()
export class WebhooksRepository {
  /** Attempts of one delivery are recorded one at a time: see `KeyedMutex` for why. */
  private readonly deliveryWrites = new KeyedMutex();

  constructor(
    @InjectModel(Webhook.name) private readonly webhooks: Model<Webhook>,
    @InjectModel(WebhookDelivery.name) private readonly deliveries: Model<WebhookDelivery>,
  ) {}

  async create(webhook: Pick<Webhook, 'url' | 'events' | 'secret'>): Promise<WebhookRecord> {
    return (await this.webhooks.create(webhook)).toObject();
  }

  list(): Promise<WebhookRecord[]> {
    return this.webhooks.find().sort({ created_at: -1 }).lean<WebhookRecord[]>().exec();
  }

  findById(id: Types.ObjectId): Promise<WebhookRecord | null> {
    return this.webhooks.findOne({ _id: id }).lean<WebhookRecord>().exec();
  }

  activeFor(eventType: string): Promise<WebhookRecord[]> {
    return this.webhooks.find({ active: true, events: eventType }).lean<WebhookRecord[]>().exec();
  }

  async delete(id: Types.ObjectId): Promise<boolean> {
    return (await this.webhooks.deleteOne({ _id: id })).deletedCount === 1;
  }

  async disable(id: Types.ObjectId, reason: string): Promise<void> {
    await this.webhooks.updateOne({ _id: id }, { $set: { active: false, disabled_reason: reason } });
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
