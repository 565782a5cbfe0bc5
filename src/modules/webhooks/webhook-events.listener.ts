import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { type EventEnvelope, EventType } from '../events/event-types.js';
import { WebhookJobs } from './webhook-jobs.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Fans every event out to the tenant's active subscriptions of its type, one job each. */
@Injectable()
export class WebhookEventsListener {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: WebhookJobs,
  ) {}

  @OnEvent(Object.values(EventType), { suppressErrors: false })
  async fanOut(event: EventEnvelope): Promise<void> {
    const subscribers = await this.webhooks.activeFor(event.event_type);
    for (const webhook of subscribers) await this.webhooks.markPending(webhook._id, event.event_id);
    await this.jobs.deliver(
      subscribers.map((webhook) => webhook._id.toHexString()),
      event,
    );
  }
}
