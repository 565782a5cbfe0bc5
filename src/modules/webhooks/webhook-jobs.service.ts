import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { FairPriority, URGENT_PRIORITY } from '../../infrastructure/queue/fair-priority.js';
import type { CatalogQueue } from '../../infrastructure/queue/job-catalog.js';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import type { EventEnvelope } from '../events/index.js';
import type { WebhookJobs } from './webhook.types.js';

/**
 * Queues deliveries: one job per (event, subscription), retried with exponential backoff and jitter.
 * Deliveries are ranked within their tenant (`FairPriority`): one tenant's backlog, or a dead receiver
 * retrying, does not hold back another tenant's first delivery. A test ping, which its sender
 * waits for, goes first.
 */
@Injectable()
export class WebhookJobsService {
  private readonly options: { attempts: number; backoff: { type: 'exponential'; delay: number; jitter: number } };

  constructor(
    @InjectQueue(QueueName.Webhook) private readonly queue: CatalogQueue<WebhookJobs>,
    private readonly redis: RedisAvailability,
    private readonly fairness: FairPriority,
    config: AppConfigService,
  ) {
    const { attempts, backoffMs } = config.webhooks;
    this.options = { attempts, backoff: { type: 'exponential', delay: backoffMs, jitter: 0.5 } };
  }

  async deliver(webhookIds: string[], event: EventEnvelope): Promise<void> {
    if (webhookIds.length === 0) return;
    this.redis.assertAvailable();
    const priorities = await this.fairness.next(QueueName.Webhook, event.tenant_id, webhookIds.length);
    await this.queue.addBulk(
      webhookIds.map((webhookId, index) => ({
        name: 'deliver',
        data: { tenant_id: event.tenant_id, webhook_id: webhookId, event_id: event.event_id },
        opts: { ...this.options, jobId: jobIdFor(event.event_id, 'webhook', webhookId), priority: priorities[index] },
      })),
    );
  }

  /** Sends a `webhook.test` ping to one webhook: one attempt (the owner pings again at will). */
  async test(envelope: EventEnvelope<'webhook.test'>): Promise<void> {
    this.redis.assertAvailable();
    const webhookId = envelope.payload.webhook_id;
    await this.queue.add(
      'test',
      { tenant_id: envelope.tenant_id, webhook_id: webhookId, event_id: envelope.event_id, envelope },
      { attempts: 1, jobId: jobIdFor(envelope.event_id, 'webhook-test', webhookId), priority: URGENT_PRIORITY },
    );
  }

  /**
   * Runs deliveries again, each as a new job: its id counts the attempts made so far, so a retry gets a
   * fresh id while asking twice before it ran finds the job already queued.
   */
  async retry(
    tenantId: string,
    webhookId: string,
    deliveries: { event_id: string; attempts: number }[],
  ): Promise<void> {
    if (deliveries.length === 0) return;
    this.redis.assertAvailable();
    const priorities = await this.fairness.next(QueueName.Webhook, tenantId, deliveries.length);
    await this.queue.addBulk(
      deliveries.map(({ event_id, attempts }, index) => ({
        name: 'deliver',
        data: { tenant_id: tenantId, webhook_id: webhookId, event_id },
        opts: {
          ...this.options,
          jobId: jobIdFor(event_id, 'webhook', webhookId, `retry-${attempts}`),
          priority: priorities[index],
        },
      })),
    );
  }
}
