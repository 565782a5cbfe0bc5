import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';
import type { EmailTemplate } from './email-templates.js';

/** One email to one recipient, all of it known when queued. */
export interface SendEmailJob extends TenantJobData {
  to: string;
  template: EmailTemplate;
  context: Record<string, unknown>;
}

/** A new response: the processor finds the form's recipients and queues one `send` job each. */
export interface ResponseNotificationJob extends TenantJobData {
  event_id: string;
  form_id: string;
  response_id: string;
  data: Record<string, unknown>;
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

export const EmailJobName = {
  send: 'send',
  responseNotification: 'response-notification',
  invitation: 'invitation',
  passwordReset: 'password-reset',
} as const;

export type EmailJobData = SendEmailJob | ResponseNotificationJob | InvitationEmailJob | PasswordResetEmailJob;
