import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { type EventEnvelope, EventType, OnDomainEvent } from '../events/index.js';
import { SubmissionTargetsService } from '../forms/index.js';
import { EmailJobsService } from './email-jobs.service.js';

/** Turns events into email jobs; sending happens in the worker, never in an HTTP handler. */
@Injectable()
export class EmailEventsListener {
  constructor(
    private readonly jobs: EmailJobsService,
    private readonly forms: SubmissionTargetsService,
  ) {}

  @OnDomainEvent(EventType.UserRegistered)
  async welcome(event: EventEnvelope<'user.registered'>): Promise<void> {
    await this.jobs.welcome(jobIdFor(event.event_id, 'welcome'), {
      tenant_id: event.tenant_id,
      user_id: event.payload.user_id,
    });
  }

  /**
   * A notification job only when the form sends one, an autoresponse job only when it has one: most
   * forms have neither, and a job the worker would skip costs Redis round trips per submission. The
   * form is read through the forms module's cache (warm: the submission just read it), and the
   * outbox relay's second hand-over decides the same way, from the form's settings at that time.
   * Both jobs of one submission are ranked and added together (`queueResponseEmails`). Spam emits no
   * `response.submitted`; a response marked not spam does.
   */
  @OnDomainEvent(EventType.ResponseSubmitted)
  async responseEmails(event: EventEnvelope<'response.submitted'>): Promise<void> {
    // The answers stay out of the jobs: each email reads them when it is sent.
    const { form_id, response_id } = event.payload;
    const { tenant_id, event_id } = event;
    const emails = await this.emailsFor(form_id);
    await this.jobs.queueResponseEmails(tenant_id, {
      notification: emails.notification
        ? { jobId: jobIdFor(event_id, 'notify'), job: { tenant_id, event_id, form_id, response_id } }
        : undefined,
      autoresponse: emails.autoresponse
        ? { jobId: jobIdFor(event_id, 'autoresponse'), job: { tenant_id, form_id, response_id } }
        : undefined,
    });
  }

  @OnDomainEvent(EventType.InvitationCreated)
  async invitation(event: EventEnvelope<'invitation.created'>): Promise<void> {
    const { invitation_id, name, role, tenant_name, inviter, form_title } = event.payload;
    await this.jobs.sendInvitation(jobIdFor(event.event_id, 'invitation'), {
      tenant_id: event.tenant_id,
      invitation_id,
      context: { name, role, tenant_name, inviter, form_title },
    });
  }

  @OnDomainEvent(EventType.PasswordResetRequested)
  async passwordReset(event: EventEnvelope<'user.password_reset_requested'>): Promise<void> {
    await this.jobs.sendPasswordReset(jobIdFor(event.event_id, 'password-reset'), {
      tenant_id: event.tenant_id,
      user_id: event.payload.user_id,
    });
  }

  /** Which emails the event's form sends (its id is the stored response's, an ObjectId). */
  private emailsFor(formId: string): Promise<{ notification: boolean; autoresponse: boolean }> {
    return this.forms.emailsFor(new Types.ObjectId(formId));
  }
}
