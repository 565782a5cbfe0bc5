import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { FormsService } from '../forms/forms.service.js';
import { UsersService } from '../users/users.service.js';
import { EmailJobsService } from './email-jobs.service.js';
import type { ResponseNotificationJob } from './email.types.js';

/**
 * Who hears of a new response: the form's notification addresses that still belong to members (a
 * removed member stops receiving respondents' answers at once), else its owner.
 */
@Injectable()
export class ResponseNotificationsService {
  private readonly logger = new Logger(ResponseNotificationsService.name);

  constructor(
    private readonly forms: FormsService,
    private readonly users: UsersService,
    private readonly jobs: EmailJobsService,
  ) {}

  /**
   * Queues one email per recipient when the form asks for notifications. A form deleted since the
   * response arrived notifies nobody; any other failure (the store down) rejects, and the job retries.
   * Nothing is queued once `stop` (the job's time limit) fired.
   */
  async fanOut(job: ResponseNotificationJob, stop?: AbortSignal): Promise<{ recipients: number }> {
    const form = await this.forms.find(new Types.ObjectId(job.form_id));
    if (!form?.settings.send_notification) return { recipients: 0 };
    const configured = form.settings.notification_emails;
    const recipients = configured.length
      ? await this.currentMembers(configured)
      : [await this.users.emailOf(form.owner_id)].filter((email): email is string => email !== null);
    const context = {
      form_title: form.title,
      response_id: job.response_id,
      fields: Object.entries(job.data).map(([key, value]) => ({ key, value: JSON.stringify(value) })),
    };
    stop?.throwIfAborted();
    await this.jobs.sendEach(
      recipients.map((to) => ({
        jobId: jobIdFor(job.event_id, 'notify', to),
        job: { tenant_id: job.tenant_id, to, template: 'response-notification' as const, context },
      })),
    );
    this.logger.log({ msg: 'response notification fanned out', form_id: job.form_id, recipients: recipients.length });
    return { recipients: recipients.length };
  }

  private async currentMembers(emails: string[]): Promise<string[]> {
    const strangers = new Set(await this.users.nonMemberEmails(emails));
    return emails.filter((email) => !strangers.has(email));
  }
}
