import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { EmailJobName, type EmailJobData, type ResponseNotificationJob, type SendEmailJob } from './email.types.js';
import { MailService } from './mail.service.js';
import { ResponseNotificationsService } from './response-notifications.service.js';

/** The `email` queue: one email to one recipient, or a new response to fan out to its recipients. */
@Processor(QueueName.email)
export class EmailProcessor extends TenantScopedProcessor<EmailJobData> {
  constructor(
    private readonly mail: MailService,
    private readonly responseNotifications: ResponseNotificationsService,
    config: AppConfigService,
  ) {
    super({ concurrency: config.queue.concurrency, timeoutMs: config.queue.jobTimeoutMs });
  }

  protected async handle(job: Job<EmailJobData>): Promise<unknown> {
    if (job.name === EmailJobName.responseNotification) {
      return this.responseNotifications.fanOut(job.data as ResponseNotificationJob);
    }
    const { to, template, context } = job.data as SendEmailJob;
    return { message_id: await this.mail.send({ to, template, context }) };
  }
}
