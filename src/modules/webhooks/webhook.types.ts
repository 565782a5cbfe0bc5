import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';
/**
 * One delivery of one event to one subscription. The job names the event rather than carrying it:
 * the envelope is read from the audit log when it is sent, so an erasure reaches queued deliveries too.
 */
export interface WebhookJob extends TenantJobData {
  webhook_id: string;
  event_id: string;
}

/** The `webhook` queue's job catalog. */
export interface WebhookJobs {
  deliver: WebhookJob;
}
