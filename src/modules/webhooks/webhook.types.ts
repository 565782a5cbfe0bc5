import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';
import type { EventEnvelope } from '../events/event.types.js';

/** One delivery of one event to one subscription. */
export interface WebhookJob extends TenantJobData {
  webhook_id: string;
  event: EventEnvelope;
}
