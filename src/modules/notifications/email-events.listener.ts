import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { type EventEnvelope, EventType, RAISE_LISTENER_ERRORS } from '../events/index.js';
import type { InvitationCreatedPayload } from '../invitations/index.js';
import { EmailJobsService } from './email-jobs.service.js';

interface UserRegisteredPayload {
  user_id: string;
}

interface PasswordResetRequestedPayload {
  user_id: string;
}

interface ResponseSubmittedPayload {
  form_id: string;
  response_id: string;
}

/** Turns events into email jobs; sending happens in the worker, never in an HTTP handler. */
@Injectable()
export class EmailEventsListener {
  constructor(private readonly jobs: EmailJobsService) {}

  @OnEvent(EventType.UserRegistered, RAISE_LISTENER_ERRORS)
  async welcome(event: EventEnvelope<UserRegisteredPayload>): Promise<void> {
    await this.jobs.welcome(jobIdFor(event.event_id, 'welcome'), {
      tenant_id: event.tenant_id,
      user_id: event.payload.user_id,
    });
  }

  @OnEvent(EventType.ResponseSubmitted, RAISE_LISTENER_ERRORS)
  async responseNotification(event: EventEnvelope<ResponseSubmittedPayload>): Promise<void> {
    // The answers stay out of the job: each email reads them when it is sent.
    const { form_id, response_id } = event.payload;
    await this.jobs.notifyResponse(jobIdFor(event.event_id, 'notify'), {
      tenant_id: event.tenant_id,
      event_id: event.event_id,
      form_id,
      response_id,
    });
  }

  @OnEvent(EventType.InvitationCreated, RAISE_LISTENER_ERRORS)
  async invitation(event: EventEnvelope<InvitationCreatedPayload>): Promise<void> {
    const { invitation_id, name, role, tenant_name, inviter, form_title } = event.payload;
    await this.jobs.sendInvitation(jobIdFor(event.event_id, 'invitation'), {
      tenant_id: event.tenant_id,
      invitation_id,
      context: { name, role, tenant_name, inviter, form_title },
    });
  }

  @OnEvent(EventType.PasswordResetRequested, RAISE_LISTENER_ERRORS)
  async passwordReset(event: EventEnvelope<PasswordResetRequestedPayload>): Promise<void> {
    await this.jobs.sendPasswordReset(jobIdFor(event.event_id, 'password-reset'), {
      tenant_id: event.tenant_id,
      user_id: event.payload.user_id,
    });
  }
}
