import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';

/** One export to run: the job names the export record, which holds the rest. */
export interface ExportJob extends TenantJobData {
  export_id: string;
}

/**
 * The `export` queue's job catalog. Every format runs as a `csv` job (its first name, kept so jobs
 * queued before the other formats still run): the format is the export record's.
 */
export interface ExportJobs {
  csv: ExportJob;
}
