import type { JobCatalogOf } from '../../infrastructure/queue/job-catalog.js';
import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';
import type { EmailTemplate } from './email-templates.js';

/**
 * One email to one recipient, all of it known when queued. Never for respondents' answers or a
 * member's details: those are read when the email is sent (`ResponseEmailJob`, `WelcomeEmailJob`), so
 * an erasure reaches queued emails and a job kept after it ran holds nothing to erase.
 */
export interface SendEmailJob extends TenantJobData {
  to: string;
  template: EmailTemplate;
  context: Record<string, unknown>;
}

/**
 * A new response: the processor finds the form's recipients and queues one `response-email` job
 * each. It names the response; the answers are read when each email is sent.
 */
export interface ResponseNotificationJob extends TenantJobData {
  event_id: string;
  form_id: string;
  response_id: string;
}

/** The notification of one response to one recipient: sent only while the response exists. */
export interface ResponseEmailJob extends TenantJobData {
  to: string;
  form_id: string;
  response_id: string;
}

/**
 * A response's autoresponse, to the address in it: it names the response; the address and the
 * values are read when the email is sent (nothing once the response is deleted).
 */
export interface AutoresponseJob extends TenantJobData {
  form_id: string;
  response_id: string;
}

/** The welcome email of a new member: their name and address are read when it is sent. */
export interface WelcomeEmailJob extends TenantJobData {
  user_id: string;
}

/** An invitation email: its token is minted when it is sent, so the job holds none. */
export interface InvitationEmailJob extends TenantJobData {
  invitation_id: string;
  context: {
    name: string | null;
    role: string;
    tenant_name: string;
    inviter: string | null;
    form_title: string | null;
  };
}

/** A password reset email: its token is minted when it is sent, so the job holds none. */
export interface PasswordResetEmailJob extends TenantJobData {
  user_id: string;
}

/** A webhook was disabled: every owner of the tenant is told (their addresses are read when it is sent). */
export interface WebhookDisabledEmailJob extends TenantJobData {
  webhook_id: string;
  reason: 'failing' | 'gone';
}

export const EmailJobName = {
  Send: 'send',
  ResponseNotification: 'response-notification',
  ResponseEmail: 'response-email',
  Welcome: 'welcome',
  Invitation: 'invitation',
  PasswordReset: 'password-reset',
  Autoresponse: 'autoresponse',
  WebhookDisabled: 'webhook-disabled',
} as const;

/** The `email` queue's job catalog: each name of `EmailJobName` and the data of its jobs. */
export type EmailJobs = JobCatalogOf<
  (typeof EmailJobName)[keyof typeof EmailJobName],
  {
    /** A job of the previous release: the whole email in its data. */
    send: SendEmailJob;
    'response-notification': ResponseNotificationJob;
    'response-email': ResponseEmailJob;
    welcome: WelcomeEmailJob;
    invitation: InvitationEmailJob;
    'password-reset': PasswordResetEmailJob;
    autoresponse: AutoresponseJob;
    'webhook-disabled': WebhookDisabledEmailJob;
  }
>;

/** The data of any email job. */
export type EmailJobData = EmailJobs[keyof EmailJobs];
