import { Injectable } from '@nestjs/common';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { type EventEnvelope, EventType, OnDomainEvent } from '../events/index.js';
import { EmailJobsService } from './email-jobs.service.js';

/** Turns events into email jobs; sending happens in the worker, never in an HTTP handler. */
@Injectable()
export class EmailEventsListener {
  constructor(private readonly jobs: EmailJobsService) {}

  @OnDomainEvent(EventType.UserRegistered)
  async welcome(event: EventEnvelope<'user.registered'>): Promise<void> {
    await this.jobs.welcome(jobIdFor(event.event_id, 'welcome'), {
      tenant_id: event.tenant_id,
      user_id: event.payload.user_id,
    });
  }

  @OnDomainEvent(EventType.ResponseSubmitted)
  async responseNotification(event: EventEnvelope<'response.submitted'>): Promise<void> {
    // The answers stay out of the job: each email reads them when it is sent.
    const { form_id, response_id } = event.payload;
    await this.jobs.notifyResponse(jobIdFor(event.event_id, 'notify'), {
      tenant_id: event.tenant_id,
      event_id: event.event_id,
      form_id,
      response_id,
    });
  }

  /** Every accepted submission (spam emits no `response.submitted`); the worker sees whether the form has one. */
  @OnDomainEvent(EventType.ResponseSubmitted)
  async autoresponse(event: EventEnvelope<'response.submitted'>): Promise<void> {
    const { form_id, response_id } = event.payload;
    await this.jobs.autorespond(jobIdFor(event.event_id, 'autoresponse'), {
      tenant_id: event.tenant_id,
      form_id,
      response_id,
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
}
