import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { type EventEnvelope, EventType, RAISE_LISTENER_ERRORS } from '../events/event.types.js';
import type { InvitationCreatedPayload } from '../invitations/invitations.types.js';
import { EmailJobsService } from './email-jobs.service.js';

interface UserRegisteredPayload {
  email: string;
  name: string;
}

interface PasswordResetRequestedPayload {
  user_id: string;
}

interface ResponseSubmittedPayload {
  form_id: string;
  response_id: string;
  data: Record<string, unknown>;
}

/** Turns events into email jobs; sending happens in the worker, never in an HTTP handler. */
@Injectable()
export class EmailEventsListener {
  constructor(private readonly jobs: EmailJobsService) {}

  @OnEvent(EventType.UserRegistered, RAISE_LISTENER_ERRORS)
  async welcome(event: EventEnvelope<UserRegisteredPayload>): Promise<void> {
    const { email, name } = event.payload;
    await this.jobs.send(jobIdFor(event.event_id, 'welcome'), {
      tenant_id: event.tenant_id,
      to: email,
      template: 'welcome',
      context: { name, email },
    });
  }

  @OnEvent(EventType.ResponseSubmitted, RAISE_LISTENER_ERRORS)
  async responseNotification(event: EventEnvelope<ResponseSubmittedPayload>): Promise<void> {
    const { form_id, response_id, data } = event.payload;
    await this.jobs.notifyResponse(jobIdFor(event.event_id, 'notify'), {
      tenant_id: event.tenant_id,
      event_id: event.event_id,
      form_id,
      response_id,
      data,
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
