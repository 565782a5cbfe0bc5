import { Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EmailJobsService } from '../notifications/index.js';
import type { WebhookDisabledReason } from './webhook.schema.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** A webhook whose deliveries all failed for this long running… */
export const FAILING_FOR_MS = 72 * 60 * 60 * 1000;
/** …and at least this many of them, is disabled (`disabled_reason: "failing"`). */
export const FAILING_AT_LEAST = 10;

/**
 * The health of a webhook, kept cheap per delivery: the webhook carries when its current run of failed
 * deliveries began and how many it holds (a success resets both), so the 72-hour rule is one update
 * and a comparison, never a scan of the deliveries. Disabling emails the tenant's owners once.
 */
@Injectable()
export class WebhookHealthService {
  private readonly logger = new Logger(WebhookHealthService.name);

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly emails: EmailJobsService,
  ) {}

  succeeded(webhookId: Types.ObjectId): Promise<void> {
    return this.webhooks.recordSuccess(webhookId);
  }

  /** A delivery failed for good (its last attempt): counted, and the webhook disabled past the threshold. */
  async failed(webhookId: Types.ObjectId, now = new Date()): Promise<void> {
    const webhook = await this.webhooks.recordFailure(webhookId, now);
    if (!webhook?.failing_since) return;
    const failingFor = now.getTime() - webhook.failing_since.getTime();
    if (webhook.consecutive_failures >= FAILING_AT_LEAST && failingFor >= FAILING_FOR_MS) {
      await this.disable(webhookId, 'failing');
    }
  }

  /** Turns the webhook off and, if this call did it, queues the owners' email (ids only in the job). */
  async disable(webhookId: Types.ObjectId, reason: WebhookDisabledReason): Promise<void> {
    if (!(await this.webhooks.disable(webhookId, reason))) return;
    const id = webhookId.toHexString();
    this.logger.warn({ msg: 'webhook disabled', webhook_id: id, reason });
    await this.emails.webhookDisabled(jobIdFor(id, 'webhook-disabled', String(Date.now())), {
      tenant_id: TenantContext.tenantId(),
      webhook_id: id,
      reason,
    });
  }
}
