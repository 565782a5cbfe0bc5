import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';

/**
 * The erasure of one deleted response or form, queued by its deletion event; of the files a `PATCH`
 * dropped from a response (`response-files`, queued by `response.updated`); or of a removed member's
 * name and email in the audit log (`member`, queued by `user.removed`).
 */
export interface ErasureJob extends TenantJobData {
  kind: 'response' | 'form' | 'response-files' | 'member';
  /** The response's, form's or removed member's id (hex). */
  id: string;
}

/** What one erasure job removed. */
export interface ErasureOutcome {
  responses: number;
  exports: number;
  files: number;
  form: boolean;
  /** Audit envelopes whose payload lost personal data (a removed member's erasure). */
  redacted?: number;
}
