import { createHmac } from 'node:crypto';
import { Processor } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { webhookTargetProblem } from './webhook-target.js';
import type { WebhookJob } from './webhook.types.js';
import { WebhooksRepository } from './webhooks.repository.js';

export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs the envelope to the subscription with `X-Webhook-Id`, `X-Webhook-Timestamp` and
 * `X-Webhook-Signature`. A 2xx succeeds; a 410 disables the subscription; anything else, a timeout or
 * a network error fails the attempt, and BullMQ retries with backoff. Every attempt is logged.
 */
@Processor(QueueName.webhook)
export class WebhookDeliveryProcessor extends TenantScopedProcessor<WebhookJob> {
  private readonly settings: { timeoutMs: number; allowPrivate: boolean };

  constructor(
    private readonly webhooks: WebhooksRepository,
    config: AppConfigService,
  ) {
    super({ concurrency: config.queue.concurrency, timeoutMs: config.queue.jobTimeoutMs });
    this.settings = config.webhooks;
  }

  protected async handle(job: Job<WebhookJob>): Promise<{ status: number }> {
    const webhookId = new Types.ObjectId(job.data.webhook_id);
    const { event } = job.data;
    const webhook = await this.webhooks.findById(webhookId);
    if (!webhook?.active) throw new UnrecoverableError('The webhook was deleted or disabled');
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const started = Date.now();
    const record = (response_status: number | null, error: string | null, status: 'succeeded' | 'failed' | 'pending') =>
      this.webhooks.recordAttempt(
        webhookId,
        event.event_id,
        { at: new Date(started), response_status, error, duration_ms: Date.now() - started },
        status,
      );

    const problem = await webhookTargetProblem(webhook.url, this.settings.allowPrivate);
    if (problem) {
      await record(null, `url ${problem}`, 'failed');
      throw new UnrecoverableError(`url ${problem}`);
    }
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(started / 1000));
    let response: Response;
    try {
      response = await fetch(webhook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'form-backend-webhooks/1',
          'x-webhook-id': event.event_id,
          'x-webhook-timestamp': timestamp,
          'x-webhook-signature': signatureOf(webhook.secret, timestamp, body),
        },
        body,
      });
      await response.body?.cancel();
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : String(error);
      await record(null, reason, isLastAttempt ? 'failed' : 'pending');
      throw new Error(`Delivery failed: ${reason}`, { cause: error });
    }
    if (response.status >= 200 && response.status < 300) {
      await record(response.status, null, 'succeeded');
      return { status: response.status };
    }
    if (response.status === 410) {
      await record(410, 'receiver answered 410 Gone: subscription disabled', 'failed');
      await this.webhooks.disable(webhookId, 'receiver answered 410 Gone');
      throw new UnrecoverableError('Receiver answered 410: webhook disabled');
    }
    await record(response.status, `receiver answered ${response.status}`, isLastAttempt ? 'failed' : 'pending');
    throw new Error(`Receiver answered ${response.status}`);
  }
}
