import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { AuditLogService, type EventEnvelope } from '../events/index.js';
import { postPinned } from './pinned-post.js';
import { WebhookHealthService } from './webhook-health.service.js';
import { WebhookHostResolver } from './webhook-host-resolver.js';
import { signatureHeaders } from './webhook-signature.js';
import { pinTarget, REFUSED_URL } from './webhook-target.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** `last_error` of a delivery its webhook was off for. */
export const NOT_SENT = 'not sent: the webhook is disabled';

/** How one delivery attempt ended: delivered, worth another attempt, or never to be tried again. */
export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; reason: string; cause?: unknown }
  | { kind: 'abandoned'; reason: string };

/**
 * One attempt to deliver an event to one subscription: POSTs the envelope signed per Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and the older way (`X-Webhook-*`). A 2xx succeeds; a 410 disables the subscription;
 * anything else, a timeout or a network error is worth retrying. Every attempt is logged.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly settings: { timeoutMs: number; allowPrivate: boolean };

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly hosts: WebhookHostResolver,
    private readonly auditLog: AuditLogService,
    private readonly health: WebhookHealthService,
    config: AppConfigService,
  ) {
    this.settings = config.webhooks;
  }

  /**
   * `lastAttempt`: no retry follows, so a failure is recorded as final. `stop` (the job's time limit)
   * cuts the request short; the attempt is then recorded as stopped and retried. `ping`: a
   * `webhook.test` envelope, never stored, sent to this webhook even while it is disabled.
   */
  async attempt(
    webhookId: Types.ObjectId,
    eventId: string,
    lastAttempt: boolean,
    stop?: AbortSignal,
    ping?: EventEnvelope<'webhook.test'>,
  ): Promise<DeliveryOutcome> {
    const webhook = await this.webhooks.findById(webhookId);
    if (!webhook) return { kind: 'abandoned', reason: 'The webhook was deleted' };
    // A test ping goes even to a disabled webhook (the owner checks the receiver before turning it on).
    if (!webhook.active && !ping) {
      // Disabled while queued: failed, not attempted, so a bulk retry after re-enabling brings it back.
      await this.webhooks.markNotSent(webhookId, eventId, NOT_SENT);
      return { kind: 'abandoned', reason: 'The webhook is disabled' };
    }
    // As stored now: a response erased since the event was queued is delivered without its data.
    const event = ping ?? (await this.auditLog.envelope(eventId));
    if (!event) return { kind: 'abandoned', reason: 'The event is no longer in the audit log' };
    const started = Date.now();
    const record = async (
      response_status: number | null,
      error: string | null,
      status: 'succeeded' | 'failed' | 'pending',
    ) => {
      await this.webhooks.recordAttempt(
        webhookId,
        event.event_id,
        { at: new Date(started), response_status, error, duration_ms: Date.now() - started },
        status,
        event.event_type,
      );
      if (status === 'succeeded') await this.health.succeeded(webhookId);
      if (status === 'failed') await this.health.failed(webhookId);
    };

    // Checked again at every attempt (the name may point elsewhere by now), and connected to as checked.
    const target = await pinTarget(webhook.url, this.hosts.resolve, this.settings.allowPrivate);
    if (!target) {
      await record(null, REFUSED_URL, 'failed');
      return { kind: 'abandoned', reason: REFUSED_URL };
    }
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(started / 1000));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'form-backend-webhooks/1',
      ...signatureHeaders(webhook, event.event_id, timestamp, body),
    };
    let status: number;
    try {
      status = await postPinned(target, headers, body, this.settings.timeoutMs, stop);
    } catch (error) {
      const reason = stop?.aborted
        ? 'stopped at the job time limit'
        : error instanceof Error && error.name === 'AbortError'
          ? 'timed out'
          : `connection failed (${(error as NodeJS.ErrnoException).code ?? 'network error'})`;
      await record(null, reason, lastAttempt ? 'failed' : 'pending');
      return { kind: 'retry', reason: `Delivery failed: ${reason}`, cause: error };
    }
    if (status >= 200 && status < 300) {
      await record(status, null, 'succeeded');
      return { kind: 'delivered', status };
    }
    if (status === 410) {
      // Off first: whoever sees this delivery failed sees the webhook disabled too.
      await this.health.disable(webhookId, 'gone');
      await record(410, 'receiver answered 410 Gone: subscription disabled', 'failed');
      return { kind: 'abandoned', reason: 'Receiver answered 410: webhook disabled' };
    }
    await record(status, `receiver answered ${status}`, lastAttempt ? 'failed' : 'pending');
    return { kind: 'retry', reason: `Receiver answered ${status}` };
  }
}
