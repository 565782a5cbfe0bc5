import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';
import type { EventEnvelope } from '../events/index.js';
/**
 * One delivery of one event to one subscription. The job names the event rather than carrying it:
 * the envelope is read from the audit log when it is sent, so an erasure reaches queued deliveries too.
 */
export interface WebhookJob extends TenantJobData {
  webhook_id: string;
  event_id: string;
}

/** A test ping: its envelope travels in the job, since a `webhook.test` event is never stored. */
export interface WebhookTestJob extends WebhookJob {
  envelope: EventEnvelope<'webhook.test'>;
}

/** The `webhook` queue's job catalog. */
export interface WebhookJobs {
  deliver: WebhookJob;
  test: WebhookTestJob;
}
