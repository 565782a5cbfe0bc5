import type { JobCatalogOf, ScheduledJobData } from '../../infrastructure/queue/job-catalog.js';
import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';

/**
 * The jobs of the `erasure` queue, by name. Inside one tenant (run in its context, like every tenant
 * job): `response` (a deleted response), `response-files` (files a `PATCH` dropped), `form` (a
 * deleted form), `member` (a removed member). Across tenants, in the system's name: `tenant` (a
 * deleted tenant, whose jobs wait suspended), the scheduled `retention` (daily) and `sweep`
 * (every `HOUSEKEEPING_INTERVAL_MS`: tenants left `deleting`).
 */
export const ErasureJobName = {
  Response: 'response',
  ResponseFiles: 'response-files',
  Form: 'form',
  Member: 'member',
  Tenant: 'tenant',
  Retention: 'retention',
  Sweep: 'sweep',
} as const;

export type ErasureKind = 'response' | 'response-files' | 'form' | 'member' | 'tenant';

/** One erasure, queued by the event that announced the deletion; the job's name is its kind. */
export interface ErasureJob extends TenantJobData {
  kind: ErasureKind;
  /** The response's, form's, removed member's or deleted tenant's id. */
  id: string;
}

/** What one erasure inside a tenant removed. */
export interface ErasureOutcome {
  responses: number;
  exports: number;
  files: number;
  form: boolean;
  /** Audit envelopes whose payload lost personal data (a removed member's erasure). */
  redacted?: number;
}

/** The `erasure` queue's job catalog: each name of `ErasureJobName` and the data of its jobs. */
export type ErasureJobs = JobCatalogOf<
  (typeof ErasureJobName)[keyof typeof ErasureJobName],
  {
    response: ErasureJob;
    'response-files': ErasureJob;
    form: ErasureJob;
    member: ErasureJob;
    tenant: ErasureJob;
    retention: ScheduledJobData;
    sweep: ScheduledJobData;
  }
>;

/** The erasures that run inside the job's tenant, like every tenant job; the others work across tenants. */
export type TenantErasureJobs = Omit<ErasureJobs, 'tenant' | 'retention' | 'sweep'>;
