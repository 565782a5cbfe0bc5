import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { type EventEnvelope, PUBLIC_EVENT_TYPES } from '../events/event-types.js';
import { WebhookJobs } from './webhook-jobs.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Fans every event out to the tenant's active subscriptions of its type, one job each. */
@Injectable()
export class WebhookEventsListener implements OnModuleInit {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: WebhookJobs,
    private readonly emitter: EventEmitter2,
  ) {}

  /** Every event type, registered directly: errors then reach the dispatcher, which retries. */
  onModuleInit(): void {
    for (const type of PUBLIC_EVENT_TYPES) {
      this.emitter.on(type, (event: EventEnvelope) => this.fanOut(event));
    }
  }

  async fanOut(event: EventEnvelope): Promise<void> {
    const subscribers = await this.webhooks.activeFor(event.event_type);
    for (const webhook of subscribers) await this.webhooks.markPending(webhook._id, event.event_id);
    await this.jobs.deliver(
      subscribers.map((webhook) => webhook._id.toHexString()),
      event,
    );
  }
}
