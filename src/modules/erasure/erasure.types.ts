import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';

/**
 * The erasure of one deleted response or form, queued by its deletion event, or of the files a
 * `PATCH` dropped from a response (`response-files`, queued by `response.updated`).
 */
export interface ErasureJob extends TenantJobData {
  kind: 'response' | 'form' | 'response-files';
  /** The response's or form's id (hex). */
  id: string;
}

/** What one erasure job removed. */
export interface ErasureOutcome {
  responses: number;
  exports: number;
  files: number;
  form: boolean;
}
