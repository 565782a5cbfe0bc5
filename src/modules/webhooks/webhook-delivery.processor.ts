import { Processor } from '@nestjs/bullmq';
import { UnrecoverableError } from 'bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { CatalogJob } from '../../infrastructure/queue/job-catalog.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import type { WebhookJobs } from './webhook.types.js';

/** The `webhook` queue: one attempt per run; BullMQ retries with backoff until the last attempt. */
@Processor(QueueName.Webhook)
export class WebhookDeliveryProcessor extends TenantScopedProcessor<WebhookJobs> {
  constructor(
    private readonly deliveries: WebhookDeliveryService,
    config: AppConfigService,
  ) {
    super(config);
  }

  /** `signal` (the job's time limit) cuts the HTTP request short. */
  protected async handle(job: CatalogJob<WebhookJobs>, signal: AbortSignal): Promise<{ status: number }> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.deliveries.attempt(
      new Types.ObjectId(job.data.webhook_id),
      job.data.event_id,
      lastAttempt,
      signal,
      job.name === 'test' ? job.data.envelope : undefined,
    );
    switch (outcome.kind) {
      case 'delivered':
        return { status: outcome.status };
      case 'abandoned':
        throw new UnrecoverableError(outcome.reason);
      case 'retry':
        throw new Error(outcome.reason, { cause: outcome.cause });
    }
  }
}
