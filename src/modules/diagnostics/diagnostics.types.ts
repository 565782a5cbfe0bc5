export interface DiagnosticJobData {
  message: string;
  requested_at: string;
}

export interface DiagnosticJobResult {
  message: string;
  worker_pid: number;
  processed_at: string;
}
