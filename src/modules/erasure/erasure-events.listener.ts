import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bullmq';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import { type EventEnvelope, EventType, RAISE_LISTENER_ERRORS } from '../events/event.types.js';
import type { ErasureJob } from './erasure.types.js';

/**
 * A deletion becomes an erasure job: the entity answered 404 already, its data goes in the background.
 * A change of a response, too: the files it dropped go.
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

  private async queueErasure(event: EventEnvelope, kind: ErasureJob['kind']): Promise<void> {
    this.redis.assertAvailable();
    await this.queue.add(
      kind,
      { tenant_id: event.tenant_id, kind, id: event.entity_id },
      { jobId: jobIdFor(event.event_id, 'erase') },
    );
  }
}
