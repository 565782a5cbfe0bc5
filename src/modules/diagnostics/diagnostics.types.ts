export interface DiagnosticJobData {
  message: string;
  requested_at: string;
}

/** The `diagnostics` queue's job catalog (its jobs answer a `DiagnosticJobResult`). */
export interface DiagnosticJobs {
  ping: DiagnosticJobData;
}

export interface DiagnosticJobResult {
  message: string;
  worker_pid: number;
  processed_at: string;
}
