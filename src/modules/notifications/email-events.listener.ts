import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import {
  type EventEnvelope,
  EventType,
  InternalEvent,
  type PasswordResetRequested,
  RAISE_LISTENER_ERRORS,
} from '../events/event.types.js';
import { EmailJobsService } from './email-jobs.service.js';

interface UserRegisteredPayload {
  email: string;
  name: string;
}

interface InvitationPayload {
  email: string;
  form_title: string;
  role: string;
  inviter: string;
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
  async invitation(event: EventEnvelope<InvitationPayload>): Promise<void> {
    const { email, form_title, role, inviter } = event.payload;
    await this.jobs.send(jobIdFor(event.event_id, 'invitation'), {
      tenant_id: event.tenant_id,
      to: email,
      template: 'invitation',
      context: { form_title, role, inviter },
    });
  }

  /** Not an envelope (it carries a secret); a reset whose job could not be queued is asked for again. */
  @OnEvent(InternalEvent.PasswordResetRequested, RAISE_LISTENER_ERRORS)
  async passwordReset(request: PasswordResetRequested): Promise<void> {
    const jobId = jobIdFor(createHash('sha256').update(request.token).digest('hex'), 'password-reset');
    await this.jobs.send(jobId, {
      tenant_id: request.tenant_id,
      to: request.email,
      template: 'password-reset',
      context: { name: request.name, email: request.email, token: request.token },
    });
  }
}
