import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { type EventEnvelope, EventType, RAISE_LISTENER_ERRORS } from '../events/index.js';
import { ErasureJobsService } from './erasure-jobs.service.js';

/**
 * Every deletion becomes an erasure job: the entity answered 404 already (the tenant: suspended), its
 * data goes in the background. A change of a response too: the files it dropped go.
 */
@Injectable()
export class ErasureEventsListener {
  constructor(private readonly jobs: ErasureJobsService) {}

  @OnEvent(EventType.ResponseDeleted, RAISE_LISTENER_ERRORS)
  responseDeleted(event: EventEnvelope): Promise<void> {
    return this.jobs.erase('response', event);
  }

  /** A `PATCH` may have dropped files from the response: those no response names any more go. */
  @OnEvent(EventType.ResponseUpdated, RAISE_LISTENER_ERRORS)
  responseUpdated(event: EventEnvelope): Promise<void> {
    return this.jobs.erase('response-files', event);
  }

  @OnEvent(EventType.FormDeleted, RAISE_LISTENER_ERRORS)
  formDeleted(event: EventEnvelope): Promise<void> {
    return this.jobs.erase('form', event);
  }

  /** A removed member's name and email leave the audit log's payloads. */
  @OnEvent(EventType.UserRemoved, RAISE_LISTENER_ERRORS)
  memberRemoved(event: EventEnvelope): Promise<void> {
    return this.jobs.erase('member', event);
  }

  /** One erasure per tenant at a time (see `ErasureJobsService.eraseTenant`). */
  @OnEvent(EventType.TenantDeleted, RAISE_LISTENER_ERRORS)
  tenantDeleted(event: EventEnvelope): Promise<void> {
    return this.jobs.eraseTenant(event);
  }
}
