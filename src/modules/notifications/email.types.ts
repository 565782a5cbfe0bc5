import type { EmailTemplate } from './email-templates.js';
import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';

/** One email to one recipient. */
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

export const EmailJobName = { send: 'send', responseNotification: 'response-notification' } as const;

export type EmailJobData = SendEmailJob | ResponseNotificationJob;
