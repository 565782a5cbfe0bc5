import { Injectable } from '@nestjs/common';
import { type EventEnvelope, EventType, OnDomainEvent } from '../events/index.js';
import { ErasureJobsService } from './erasure-jobs.service.js';

/**
 * Every deletion becomes an erasure job: the entity answered 404 already (the tenant: suspended), its
 * data goes in the background. A change of a response too: the files it dropped go.
 */
@Injectable()
export class ErasureEventsListener {
  constructor(private readonly jobs: ErasureJobsService) {}

  @OnDomainEvent(EventType.ResponseDeleted)
  responseDeleted(event: EventEnvelope<'response.deleted'>): Promise<void> {
    return this.jobs.erase('response', event);
  }

  /** A `PATCH` may have dropped files from the response: those no response names any more go. */
  @OnDomainEvent(EventType.ResponseUpdated)
  responseUpdated(event: EventEnvelope<'response.updated'>): Promise<void> {
    return this.jobs.erase('response-files', event);
  }

  @OnDomainEvent(EventType.FormDeleted)
  formDeleted(event: EventEnvelope<'form.deleted'>): Promise<void> {
    return this.jobs.erase('form', event);
  }

  /** A removed member's name and email leave the audit log's payloads. */
  @OnDomainEvent(EventType.UserRemoved)
  memberRemoved(event: EventEnvelope<'user.removed'>): Promise<void> {
    return this.jobs.erase('member', event);
  }

  /** One erasure per tenant at a time (see `ErasureJobsService.eraseTenant`). */
  @OnDomainEvent(EventType.TenantDeleted)
  tenantDeleted(event: EventEnvelope<'tenant.deleted'>): Promise<void> {
    return this.jobs.eraseTenant(event);
  }
}
