import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { currentRequestIds } from '../../infrastructure/cls/request-ids.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { AuditLogService, type EventEnvelope, EventType } from '../events/index.js';
import type { CreateWebhookDto } from './dto/webhook.dto.js';
import { WebhookHostResolver } from './webhook-host-resolver.js';
import { WebhookJobsService } from './webhook-jobs.service.js';
import { newWebhookSecret, ROTATION_OVERLAP_MS } from './webhook-signature.js';
import { pinTarget, REFUSED_URL } from './webhook-target.js';
import { type DeliveryRecord, type WebhookRecord, WebhooksRepository } from './webhooks.repository.js';

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: WebhookJobsService,
    private readonly auditLog: AuditLogService,
    private readonly config: AppConfigService,
    private readonly hosts: WebhookHostResolver,
    private readonly lock: StoreLock,
  ) {}

  /** Every webhook endpoint needs the tenant's `webhooks` feature. */
  assertEnabled(): void {
    if (!TenantContext.tenant().settings.features.webhooks) {
      throw new ApiError(HttpStatus.FORBIDDEN, ErrorCode.FeatureDisabled, 'Webhooks are not enabled for this tenant');
    }
  }

  /** Checks the URL, then creates the subscription within the tenant's `max_webhooks` (counted under a lock). */
  async create(input: CreateWebhookDto): Promise<WebhookRecord> {
    if (!(await pinTarget(input.url, this.hosts.resolve, this.config.webhooks.allowPrivate))) {
      throw ApiError.validation([{ field: 'url', message: REFUSED_URL }]);
    }
    const { max_webhooks } = TenantContext.tenant().settings;
    const create = async () => {
      if ((await this.webhooks.count()) >= max_webhooks) {
        throw ApiError.quotaExceeded(`This tenant may have at most ${max_webhooks} webhooks`);
      }
      return this.webhooks.create({ url: input.url, events: input.events, secret: newWebhookSecret() });
    };
    try {
      return await this.lock.withLock(`webhooks:${TenantContext.tenantId()}`, create);
    } catch (error) {
      if (error instanceof LockBusyError) throw ApiError.unavailable('Webhooks are being changed; retry shortly');
      throw error;
    }
  }

  list(): Promise<WebhookRecord[]> {
    return this.webhooks.list();
  }

  async delete(id: Types.ObjectId): Promise<void> {
    if (!(await this.webhooks.delete(id))) throw ApiError.notFound('Webhook');
  }

  async deliveries(id: Types.ObjectId): Promise<DeliveryRecord[]> {
    await this.get(id);
    return this.webhooks.listDeliveries(id);
  }

  /** Queues a delivery of this subscription again (a failed one, typically). */
  async retry(id: Types.ObjectId, eventId: string): Promise<void> {
    const webhook = await this.get(id);
    const delivery = await this.webhooks.findDelivery(id, eventId);
    const event = delivery ? await this.auditLog.envelope(eventId) : null;
    if (!delivery || !event) throw ApiError.notFound('Delivery');
    if (!webhook.active) {
      throw new ApiError(
        HttpStatus.CONFLICT,
        ErrorCode.WebhookDisabled,
        'The webhook was disabled by its receiver (410)',
      );
    }
    await this.webhooks.markPending(id, eventId);
    await this.jobs.retry(id.toHexString(), event, delivery.attempts);
  }

  /**
   * Gives the webhook a new `whsec_` secret (a webhook made before those too). The replaced one signs
   * beside it for 24 hours, so receivers can switch without losing a delivery.
   */
  async rotateSecret(id: Types.ObjectId): Promise<string> {
    const next = newWebhookSecret();
    // Two rotations at once: the later one retries on top of the earlier one's secret.
    for (let tries = 0; tries < 3; tries += 1) {
      const { secret: current } = await this.get(id);
      if (await this.webhooks.replaceSecret(id, current, next, new Date(Date.now() + ROTATION_OVERLAP_MS))) return next;
    }
    throw ApiError.unavailable('The secret is being rotated; retry shortly');
  }

  /**
   * Queues a `webhook.test` event for this webhook alone, even a disabled one. Not dispatched: it is
   * no domain event, so neither the audit log nor any other subscription sees it.
   */
  async test(id: Types.ObjectId): Promise<string> {
    await this.get(id);
    const envelope: EventEnvelope<'webhook.test'> = {
      event_id: randomUUID(),
      event_type: EventType.WebhookTest,
      timestamp: new Date().toISOString(),
      tenant_id: TenantContext.tenantId(),
      user_id: TenantContext.actor()?.user_id ?? null,
      entity_id: id.toHexString(),
      payload: { webhook_id: id.toHexString() },
      metadata: { ...currentRequestIds(), source: 'api' },
    };
    await this.webhooks.markPending(id, envelope.event_id);
    await this.jobs.test(envelope);
    return envelope.event_id;
  }

  private async get(id: Types.ObjectId): Promise<WebhookRecord> {
    const webhook = await this.webhooks.findById(id);
    if (!webhook) throw ApiError.notFound('Webhook');
    return webhook;
  }
}
