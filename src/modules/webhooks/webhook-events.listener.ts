import { Injectable } from '@nestjs/common';
import { type EventEnvelope, EventType, OnDomainEvent } from '../events/index.js';
import { WebhookJobsService } from './webhook-jobs.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Fans every public event out to the tenant's active subscriptions of its type, one job each. */
@Injectable()
export class WebhookEventsListener {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: WebhookJobsService,
  ) {}

  /** Every type of the contract's event list (`PUBLIC_EVENT_TYPES`; a unit test keeps the two equal). */
  @OnDomainEvent(
    EventType.FormCreated,
    EventType.FormUpdated,
    EventType.FormPublished,
    EventType.FormArchived,
    EventType.FormDeleted,
    EventType.ResponseSubmitted,
    EventType.ResponseUpdated,
    EventType.ResponseDeleted,
    EventType.UserRegistered,
  )
  async fanOut(event: EventEnvelope): Promise<void> {
    const subscribers = await this.webhooks.activeFor(event.event_type);
    for (const webhook of subscribers) await this.webhooks.markPending(webhook._id, event.event_id);
    await this.jobs.deliver(
      subscribers.map((webhook) => webhook._id.toHexString()),
      event,
    );
  }
}
