import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { EventEnvelope } from '../events/event.types.js';
import { webhookTargetProblem } from './webhook-target.js';
import { WebhooksRepository } from './webhooks.repository.js';

export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** How one delivery attempt ended: delivered, worth another attempt, or never to be tried again. */
export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; reason: string; cause?: unknown }
  | { kind: 'abandoned'; reason: string };

/**
 * One attempt to deliver an event to one subscription: POSTs the envelope with `X-Webhook-Id`,
 * `X-Webhook-Timestamp` and `X-Webhook-Signature`. A 2xx succeeds; a 410 disables the subscription;
 * anything else, a timeout or a network error is worth retrying. Every attempt is logged.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly settings: { timeoutMs: number; allowPrivate: boolean };

  constructor(
    private readonly webhooks: WebhooksRepository,
    config: AppConfigService,
  ) {
    this.settings = config.webhooks;
  }

  /** `lastAttempt`: no retry follows, so a failure is recorded as final. */
  async attempt(webhookId: Types.ObjectId, event: EventEnvelope, lastAttempt: boolean): Promise<DeliveryOutcome> {
    const webhook = await this.webhooks.findById(webhookId);
    if (!webhook?.active) return { kind: 'abandoned', reason: 'The webhook was deleted or disabled' };
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
      return { kind: 'abandoned', reason: `url ${problem}` };
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
      await record(null, reason, lastAttempt ? 'failed' : 'pending');
      return { kind: 'retry', reason: `Delivery failed: ${reason}`, cause: error };
    }
    if (response.status >= 200 && response.status < 300) {
      await record(response.status, null, 'succeeded');
      return { kind: 'delivered', status: response.status };
    }
    if (response.status === 410) {
      await record(410, 'receiver answered 410 Gone: subscription disabled', 'failed');
      await this.webhooks.disable(webhookId, 'receiver answered 410 Gone');
      return { kind: 'abandoned', reason: 'Receiver answered 410: webhook disabled' };
    }
    await record(response.status, `receiver answered ${response.status}`, lastAttempt ? 'failed' : 'pending');
    return { kind: 'retry', reason: `Receiver answered ${response.status}` };
  }
}
