import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { CatalogJob } from '../../infrastructure/queue/job-catalog.js';
import { runWithTimeLimit } from '../../infrastructure/queue/job-time-limit.js';
import { ObservedWorkerHost } from '../../infrastructure/queue/observed-worker-host.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import type { DiagnosticJobResult, DiagnosticJobs } from './diagnostics.types.js';

@Processor(QueueName.Diagnostics)
export class DiagnosticsProcessor extends ObservedWorkerHost {
  private readonly logger = new Logger(DiagnosticsProcessor.name);

  constructor(private readonly config: AppConfigService) {
    super();
  }

  /** Under the job time limit like every job; its one quick step has nothing to stop between. */
  process(job: CatalogJob<DiagnosticJobs, DiagnosticJobResult>): Promise<DiagnosticJobResult> {
    return runWithTimeLimit(job, { timeoutMs: this.config.queue.jobTimeoutMs }, async () => this.report(job));
  }

  private report(job: CatalogJob<DiagnosticJobs, DiagnosticJobResult>): DiagnosticJobResult {
    this.logger.log({ msg: 'diagnostic job processed', job_id: job.id });
    return { message: job.data.message, worker_pid: process.pid, processed_at: new Date().toISOString() };
  }
}
