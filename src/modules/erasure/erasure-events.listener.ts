import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { JobsOptions, Queue } from 'bullmq';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import { type EventEnvelope, EventType, RAISE_LISTENER_ERRORS } from '../events/event.types.js';
import { type ErasureJob, type ErasureKind } from './erasure.types.js';

/**
 * Every deletion becomes an erasure job: the entity answered 404 already (the tenant: suspended), its
 * data goes in the background. A change of a response too: the files it dropped go.
 */
@Injectable()
export class ErasureEventsListener {
  constructor(
    @InjectQueue(QueueName.erasure) private readonly queue: Queue<ErasureJob>,
    private readonly redis: RedisAvailability,
  ) {}

  @OnEvent(EventType.ResponseDeleted, RAISE_LISTENER_ERRORS)
  responseDeleted(event: EventEnvelope): Promise<void> {
    return this.queueErasure(event, 'response');
  }

  /** A `PATCH` may have dropped files from the response: those no response names any more go. */
  @OnEvent(EventType.ResponseUpdated, RAISE_LISTENER_ERRORS)
  responseUpdated(event: EventEnvelope): Promise<void> {
    return this.queueErasure(event, 'response-files');
  }

  @OnEvent(EventType.FormDeleted, RAISE_LISTENER_ERRORS)
  formDeleted(event: EventEnvelope): Promise<void> {
    return this.queueErasure(event, 'form');
  }

  /** A removed member's name and email leave the audit log's payloads. */
  @OnEvent(EventType.UserRemoved, RAISE_LISTENER_ERRORS)
  memberRemoved(event: EventEnvelope): Promise<void> {
    return this.queueErasure(event, 'member');
  }

  /**
   * One erasure per tenant at a time, however often it is asked (a fixed job id; asked again after it
   * failed, it runs again), and removed once done: nothing of the tenant, not even its id, stays in a
   * queue.
   */
  @OnEvent(EventType.TenantDeleted, RAISE_LISTENER_ERRORS)
  async tenantDeleted(event: EventEnvelope): Promise<void> {
    const jobId = `erase-tenant.${event.entity_id}`;
    this.redis.assertAvailable();
    const failed = await this.queue.getJob(jobId);
    if (failed && (await failed.isFailed())) return failed.retry();
    await this.queueErasure(event, 'tenant', { jobId, removeOnComplete: true });
  }

  private async queueErasure(event: EventEnvelope, kind: ErasureKind, options?: JobsOptions): Promise<void> {
    this.redis.assertAvailable();
    await this.queue.add(
      kind,
      { tenant_id: event.tenant_id, kind, id: event.entity_id },
      options ?? { jobId: jobIdFor(event.event_id, 'erase') },
    );
  }
}
