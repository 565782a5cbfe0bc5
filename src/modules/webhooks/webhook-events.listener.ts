import { Injectable } from '@nestjs/common';
import { type EventEnvelope, EventType, OnDomainEvent } from '../events/index.js';
import { NOT_SENT } from './webhook-delivery.service.js';
import { WebhookJobsService } from './webhook-jobs.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Fans every public event out to the tenant's enabled subscriptions of its type (and form), one job each. */
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
    const subscribers = await this.webhooks.subscribersOf(event.event_type, formOf(event));
    const enabled = subscribers.filter((webhook) => webhook.active);
    // A disabled webhook gets no delivery, only a failed record a bulk retry can bring back.
    for (const webhook of subscribers.filter((hook) => !hook.active)) {
      await this.webhooks.markNotSent(webhook._id, event.event_id, NOT_SENT, event.event_type);
    }
    for (const webhook of enabled) await this.webhooks.markPending(webhook._id, event.event_id, event.event_type);
    await this.jobs.deliver(
      enabled.map((webhook) => webhook._id.toHexString()),
      event,
    );
  }
}

/** The form an event is about (`response.*`, `form.*`), or null (`user.registered`): `form_ids` filters by it. */
function formOf(event: EventEnvelope): string | null {
  const formId = (event.payload as { form_id?: unknown }).form_id;
  return typeof formId === 'string' ? formId : null;
}
