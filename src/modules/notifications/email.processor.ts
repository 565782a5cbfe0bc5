import { Processor } from '@nestjs/bullmq';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { CatalogJob } from '../../infrastructure/queue/job-catalog.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { AccountEmailsService } from './account-emails.service.js';
import { AutoresponsesService } from './autoresponses.service.js';
import { EmailJobName, type EmailJobs } from './email.types.js';
import { legacyNotifiedResponse, withoutAnswers } from './legacy-email-jobs.js';
import { MailService } from './mail.service.js';
import { ResponseNotificationsService } from './response-notifications.service.js';

/** The `email` queue: one email to one recipient, a link email, or a new response to fan out. */
@Processor(QueueName.Email)
export class EmailProcessor extends TenantScopedProcessor<EmailJobs> {
  constructor(
    private readonly mail: MailService,
    private readonly accountEmails: AccountEmailsService,
    private readonly responseNotifications: ResponseNotificationsService,
    private readonly autoresponses: AutoresponsesService,
    config: AppConfigService,
  ) {
    super(config);
  }

  /** `signal` (the job's time limit): past it nothing more is sent or queued; the retry does it. */
  protected async handle(job: CatalogJob<EmailJobs>, signal: AbortSignal): Promise<unknown> {
    switch (job.name) {
      case EmailJobName.ResponseNotification:
        return this.responseNotifications.fanOut(job.data, signal);
      case EmailJobName.ResponseEmail:
        return this.responseNotifications.send(job.data, job.id, signal);
      case EmailJobName.Autoresponse:
        return this.autoresponses.send(job.data, job.id, signal);
      case EmailJobName.Welcome:
        return this.accountEmails.sendWelcome(job.data, job.id, signal);
      case EmailJobName.Invitation:
        return this.accountEmails.sendInvitation(job.data, signal);
      case EmailJobName.PasswordReset:
        return this.accountEmails.sendPasswordReset(job.data, signal);
      case EmailJobName.WebhookDisabled:
        return this.accountEmails.sendWebhookDisabled(job.data, job.id, signal);
      default:
        return this.sendLegacy(job, signal);
    }
  }

  /**
   * `send`: a job of the previous release, the whole email in its data. A response notification
   * among them first loses the answers it holds, then is sent like a `response-email` job, from the
   * response as it is now (nothing once it was deleted); any other is sent as it was queued.
   */
  private async sendLegacy(job: CatalogJob<Pick<EmailJobs, 'send'>>, signal: AbortSignal): Promise<unknown> {
    const { to, template, context } = job.data;
    const responseId = legacyNotifiedResponse(job.data);
    if (responseId === null) {
      return { message_id: await this.mail.send({ to, template, context, sendingId: job.id, stop: signal }) };
    }
    const scrubbed = withoutAnswers(job.name, job.data);
    if (scrubbed) await job.updateData(scrubbed);
    return this.responseNotifications.send({ to, response_id: responseId }, job.id, signal);
  }
}
