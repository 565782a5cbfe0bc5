import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { currentRequestIds } from '../../infrastructure/cls/request-ids.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import { isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { AuditLogService, type EventEnvelope, EventType } from '../events/index.js';
import { FormsService } from '../forms/index.js';
import type { CreateWebhookDto, DeliveriesQueryDto, UpdateWebhookDto } from './dto/webhook.dto.js';
import { WebhookHostResolver } from './webhook-host-resolver.js';
import { WebhookJobsService } from './webhook-jobs.service.js';
import { newWebhookSecret, ROTATION_OVERLAP_MS } from './webhook-signature.js';
import { pinTarget, REFUSED_URL } from './webhook-target.js';
import {
  type DeliveryRecord,
  type WebhookChanges,
  type WebhookRecord,
  WebhooksRepository,
} from './webhooks.repository.js';

/** A bulk retry brings back the failed deliveries of this many days… */
const RETRY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** …read and queued this many at a time. */
const RETRY_BATCH = 200;

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly jobs: WebhookJobsService,
    private readonly auditLog: AuditLogService,
    private readonly config: AppConfigService,
    private readonly hosts: WebhookHostResolver,
    private readonly lock: StoreLock,
    private readonly forms: FormsService,
  ) {}

  /** Every webhook endpoint needs the tenant's `webhooks` feature. */
  assertEnabled(): void {
    if (!TenantContext.tenant().settings.features.webhooks) {
      throw new ApiError(HttpStatus.FORBIDDEN, ErrorCode.FeatureDisabled, 'Webhooks are not enabled for this tenant');
    }
  }

  /** Checks the URL, then creates the subscription within the tenant's `max_webhooks` (counted under a lock). */
  async create(input: CreateWebhookDto): Promise<WebhookRecord> {
    await this.assertTarget(input.url);
    const form_ids = await this.checkedForms(input.form_ids);
    const { max_webhooks } = TenantContext.tenant().settings;
    const create = async () => {
      if ((await this.webhooks.count()) >= max_webhooks) {
        throw ApiError.quotaExceeded(`This tenant may have at most ${max_webhooks} webhooks`);
      }
      return this.webhooks.create({
        url: input.url,
        events: input.events,
        form_ids,
        secret: newWebhookSecret(),
      });
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

  /**
   * PATCH: the URL is checked as on creation, `form_ids` as well; `enabled: true` turns the webhook on
   * and forgets why it was off and its failing run; `enabled: false` turns it off with no reason.
   */
  async update(id: Types.ObjectId, input: UpdateWebhookDto): Promise<WebhookRecord> {
    const changes: WebhookChanges = {};
    if (input.url !== undefined) {
      await this.assertTarget(input.url);
      changes.url = input.url;
    }
    if (input.events !== undefined) changes.events = input.events;
    if (input.form_ids !== undefined) changes.form_ids = await this.checkedForms(input.form_ids);
    if (input.enabled !== undefined) {
      Object.assign(changes, { active: input.enabled, disabled_reason: null });
      if (input.enabled) Object.assign(changes, { failing_since: null, consecutive_failures: 0 });
    }
    const updated = await this.webhooks.update(id, changes);
    if (!updated) throw ApiError.notFound('Webhook');
    return updated;
  }

  async deliveries(id: Types.ObjectId, query: DeliveriesQueryDto): Promise<Page<DeliveryRecord>> {
    await this.get(id);
    return this.webhooks.listDeliveries(id, query);
  }

  /** Queues a delivery of this subscription again (a failed one, typically). */
  async retry(id: Types.ObjectId, eventId: string): Promise<void> {
    this.assertOn(await this.get(id));
    const delivery = await this.webhooks.findDelivery(id, eventId);
    const event = delivery ? await this.auditLog.envelope(eventId) : null;
    if (!delivery || !event) throw ApiError.notFound('Delivery');
    await this.webhooks.markPending(id, eventId);
    await this.jobs.retry(event.tenant_id, id.toHexString(), [delivery]);
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

  /** Queues every failed delivery of the last 7 days again, a batch at a time; answers how many. */
  async retryFailed(id: Types.ObjectId): Promise<number> {
    this.assertOn(await this.get(id));
    const since = new Date(Date.now() - RETRY_WINDOW_MS);
    let queued = 0;
    let cursor: string | undefined;
    do {
      const page = await this.webhooks.failedSince(id, since, cursor, RETRY_BATCH);
      await this.webhooks.markManyPending(
        id,
        page.items.map((delivery) => delivery.event_id),
      );
      await this.jobs.retry(TenantContext.tenantId(), id.toHexString(), page.items);
      queued += page.items.length;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return queued;
  }

  async get(id: Types.ObjectId): Promise<WebhookRecord> {
    const webhook = await this.webhooks.findById(id);
    if (!webhook) throw ApiError.notFound('Webhook');
    return webhook;
  }

  /** A retry of a disabled webhook would not be sent: it is turned on first (`PATCH { enabled: true }`). */
  private assertOn(webhook: WebhookRecord): void {
    if (!webhook.active) {
      throw new ApiError(HttpStatus.CONFLICT, ErrorCode.WebhookDisabled, 'The webhook is disabled; enable it first');
    }
  }

  private async assertTarget(url: string): Promise<void> {
    if (!(await pinTarget(url, this.hosts.resolve, this.config.webhooks.allowPrivate))) {
      throw ApiError.validation([{ field: 'url', message: REFUSED_URL }]);
    }
  }

  /** `form_ids` must name forms of this tenant (another tenant's form is as unknown as a made-up id). */
  private async checkedForms(formIds: string[] | null | undefined): Promise<string[] | null> {
    if (!formIds) return null;
    for (const formId of formIds) {
      const form = isObjectIdHex(formId) ? await this.forms.find(new Types.ObjectId(formId)) : null;
      if (!form) throw ApiError.validation([{ field: 'form_ids', message: `form ${formId} does not exist` }]);
    }
    return formIds;
  }
}
