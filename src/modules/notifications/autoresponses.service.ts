import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { Metrics } from '../../infrastructure/metrics/metrics.js';
import { type CountedLimit, OnceCountedLimits } from '../../infrastructure/rate-limit/once-counted-limits.js';
import { FormsService } from '../forms/index.js';
import { ResponsesService } from '../responses/index.js';
import { UsersService } from '../users/index.js';
import { renderAutoresponse } from './autoresponse-template.js';
import type { AutoresponseJob } from './email.types.js';
import { MailService } from './mail.service.js';

const HOUR_MS = 60 * 60 * 1000;
const PER_ADDRESS = 'autoresponse-address';
const PER_FORM = 'autoresponse-form';

/** Why an autoresponse was not sent, as the metric and the log line name it. */
type SkipReason = 'response_deleted' | 'form_deleted' | 'no_address' | 'address_limit' | 'form_limit';

/**
 * A form's autoresponse to one response, sent by the worker from the response as it is then: none
 * once it was deleted (or erased), none when its form has no autoresponse (any more) or the response
 * holds no address in the form's `email_field`. Each counts once against two hourly limits, the
 * address's within the tenant and the form's (`AUTORESPONSE_PER_*_PER_HOUR`), claimed once per response
 * so a retried (or re-queued) job neither counts again nor sends again once sent. Beyond a limit the email is skipped
 * (the response was stored already). Log lines and jobs name the response, never the address or a value.
 */
@Injectable()
export class AutoresponsesService {
  private readonly logger = new Logger(AutoresponsesService.name);

  constructor(
    private readonly forms: FormsService,
    private readonly responses: ResponsesService,
    private readonly users: UsersService,
    private readonly mail: MailService,
    private readonly limits: OnceCountedLimits,
    private readonly metrics: Metrics,
    private readonly config: AppConfigService,
  ) {}

  async send(
    job: AutoresponseJob,
    sendingId?: string,
    stop?: AbortSignal,
  ): Promise<{ message_id?: string; skipped?: string }> {
    const response = await this.responses.findLive(new Types.ObjectId(job.response_id));
    if (!response) return this.skipped('response_deleted', job);
    const form = await this.forms.find(response.form_id);
    if (!form) return this.skipped('form_deleted', job);
    const autoresponse = form.settings.autoresponse;
    // Most forms have none: not a skip worth a metric or a log line.
    if (!autoresponse) return { skipped: 'no autoresponse' };
    const to = addressIn(response.data[autoresponse.email_field]);
    if (!to) return this.skipped('no_address', job);

    // One claim per response: however often its job runs or is queued again, it counts and sends once.
    const claim = `autoresponse:${job.tenant_id}:${job.response_id}`;
    const decision = await this.limits.claim(claim, this.limitsFor(job, to), HOUR_MS);
    if (decision.outcome === 'done') return { skipped: 'sent already' };
    if (decision.outcome === 'over') {
      return this.skipped(decision.limit === PER_ADDRESS ? 'address_limit' : 'form_limit', job);
    }
    const replyTo = await this.replyAddress(form.settings.notification_emails, form.owner_id);
    const message_id = await this.mail.sendRendered({
      to,
      replyTo: replyTo ?? undefined,
      content: renderAutoresponse(autoresponse, response.data),
      kind: 'autoresponse',
      sendingId: sendingId ?? claim,
      stop,
    });
    await this.markSent(claim, job);
    this.metrics.autoresponseSent();
    return { message_id };
  }

  /** The address's limit within the tenant (its hash: Redis keys hold no address) and the form's. */
  private limitsFor(job: AutoresponseJob, address: string): CountedLimit[] {
    const { perAddressPerHour, perFormPerHour } = this.config.autoresponseLimits;
    const addressHash = createHash('sha256').update(`${job.tenant_id}\n${address.toLowerCase()}`).digest('hex');
    return [
      { name: PER_ADDRESS, subject: addressHash, limit: perAddressPerHour },
      { name: PER_FORM, subject: `${job.tenant_id}:${job.form_id.toLowerCase()}`, limit: perFormPerHour },
    ];
  }

  /**
   * Where a respondent's reply goes: the form's first notification address that still belongs to a
   * member, else (none configured, or none a member any more) its owner's; none when the owner is gone.
   */
  private async replyAddress(configured: string[], ownerId: string): Promise<string | null> {
    const strangers = new Set(await this.users.nonMemberEmails(configured));
    return configured.find((email) => !strangers.has(email)) ?? (await this.users.emailOf(ownerId));
  }

  /** Not marked (Redis gone meanwhile): a retry could send it again, but the job does not fail for it. */
  private async markSent(claim: string, job: AutoresponseJob): Promise<void> {
    await this.limits.markDone(claim).catch((error: unknown) => {
      this.logger.warn({ msg: 'autoresponse sent but not marked', response_id: job.response_id, err: String(error) });
    });
  }

  private skipped(reason: SkipReason, job: AutoresponseJob): { skipped: string } {
    this.metrics.autoresponseSkipped(reason);
    this.logger.log({ msg: 'autoresponse not sent', reason, form_id: job.form_id, response_id: job.response_id });
    return { skipped: reason };
  }
}

/** The response's value of the email field when it is one address; anything else sends nothing. */
function addressIn(value: unknown): string | null {
  return typeof value === 'string' && isEmail(value) ? value : null;
}
