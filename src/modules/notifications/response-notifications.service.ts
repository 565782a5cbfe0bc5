import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { FormsService } from '../forms/index.js';
import { ResponsesService } from '../responses/index.js';
import { UsersService } from '../users/index.js';
import { EmailJobsService } from './email-jobs.service.js';
import type { ResponseEmailJob, ResponseNotificationJob } from './email.types.js';
import { MailService } from './mail.service.js';

/**
 * Who hears of a new response: the form's notification addresses that still belong to members (a
 * removed member stops receiving respondents' answers at once), else its owner. The jobs name the
 * response; its answers are read from the store when each email is sent, so a response deleted
 * (or erased) meanwhile is not emailed, and no job, queued or kept after it ran, holds them.
 */
@Injectable()
export class ResponseNotificationsService {
  private readonly logger = new Logger(ResponseNotificationsService.name);

  constructor(
    private readonly forms: FormsService,
    private readonly users: UsersService,
    private readonly responses: ResponsesService,
    private readonly jobs: EmailJobsService,
    private readonly mail: MailService,
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
    stop?.throwIfAborted();
    await this.jobs.sendResponseEmails(
      recipients.map((to) => ({
        jobId: jobIdFor(job.event_id, 'notify', to),
        job: { tenant_id: job.tenant_id, to, form_id: job.form_id, response_id: job.response_id },
      })),
    );
    this.logger.log({ msg: 'response notification fanned out', form_id: job.form_id, recipients: recipients.length });
    return { recipients: recipients.length };
  }

  /**
   * Sends one notification with the response as it is now; nothing when the response or its form was
   * deleted, or the recipient is no longer a member, since the job was queued.
   */
  async send(
    job: Pick<ResponseEmailJob, 'to' | 'response_id'>,
    sendingId?: string,
    stop?: AbortSignal,
  ): Promise<{ message_id?: string; skipped?: string }> {
    const response = await this.responses.findLive(new Types.ObjectId(job.response_id));
    if (!response) return this.skipped('response deleted', job.response_id);
    const form = await this.forms.find(response.form_id);
    if (!form) return this.skipped('form deleted', job.response_id);
    if (!(await this.users.isMember(job.to))) return this.skipped('recipient no longer a member', job.response_id);
    const context = {
      form_title: form.title,
      response_id: job.response_id,
      fields: Object.entries(response.data).map(([key, value]) => ({ key, value: JSON.stringify(value) })),
    };
    const message_id = await this.mail.send({
      to: job.to,
      template: 'response-notification',
      context,
      sendingId,
      stop,
    });
    return { message_id };
  }

  private skipped(reason: string, responseId: string): { skipped: string } {
    this.logger.log({ msg: 'response notification not sent', reason, response_id: responseId });
    return { skipped: reason };
  }

  private async currentMembers(emails: string[]): Promise<string[]> {
    const strangers = new Set(await this.users.nonMemberEmails(emails));
    return emails.filter((email) => !strangers.has(email));
  }
}
