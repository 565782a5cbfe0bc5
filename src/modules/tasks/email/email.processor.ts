import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../../infrastructure/config/app-config.service.js';
import { MailService } from '../../../infrastructure/mail/mail.service.js';
import { jobIdFor } from '../../../infrastructure/queue/job-id.js';
import { QueueName } from '../../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../../infrastructure/queue/tenant-scoped.processor.js';
import { FormsService } from '../../forms/forms.service.js';
import { UsersService } from '../../users/users.service.js';
import { EmailJobs } from './email-jobs.service.js';
import { EmailJobName, type EmailJobData, type ResponseNotificationJob, type SendEmailJob } from './email.types.js';

@Processor(QueueName.email)
export class EmailProcessor extends TenantScopedProcessor<EmailJobData> {
  private readonly logger = new Logger(EmailProcessor.name);

  constructor(
    private readonly mail: MailService,
    private readonly jobs: EmailJobs,
    private readonly forms: FormsService,
    private readonly users: UsersService,
    config: AppConfigService,
  ) {
    super({ concurrency: config.queue.concurrency, timeoutMs: config.queue.jobTimeoutMs });
  }

  protected async handle(job: Job<EmailJobData>): Promise<unknown> {
    if (job.name === EmailJobName.responseNotification) return this.fanOut(job.data as ResponseNotificationJob);
    const { to, template, context } = job.data as SendEmailJob;
    return { message_id: await this.mail.send({ to, template, context }) };
  }

  /** Queues one email per recipient of a response notification, when the form asks for them. */
  private async fanOut(job: ResponseNotificationJob): Promise<{ recipients: number }> {
    const form = await this.forms.get(new Types.ObjectId(job.form_id)).catch(() => null);
    if (!form?.settings.send_notification) return { recipients: 0 };
    const owner = form.settings.notification_emails.length ? null : await this.users.emailOf(form.owner_id);
    const recipients = form.settings.notification_emails.length
      ? form.settings.notification_emails
      : [owner].filter(Boolean);
    const context = {
      form_title: form.title,
      response_id: job.response_id,
      fields: Object.entries(job.data).map(([key, value]) => ({ key, value: JSON.stringify(value) })),
    };
    await this.jobs.sendEach(
      (recipients as string[]).map((to) => ({
        jobId: jobIdFor(job.event_id, 'notify', to),
        job: { tenant_id: job.tenant_id, to, template: 'response-notification' as const, context },
      })),
    );
    this.logger.log({ msg: 'response notification fanned out', form_id: job.form_id, recipients: recipients.length });
    return { recipients: recipients.length };
  }
}
