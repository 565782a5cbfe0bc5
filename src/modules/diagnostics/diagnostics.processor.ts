import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ObservedWorkerHost } from '../../infrastructure/queue/observed-worker-host.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import type { DiagnosticJobData, DiagnosticJobResult } from './diagnostics.types.js';

@Processor(QueueName.diagnostics)
export class DiagnosticsProcessor extends ObservedWorkerHost {
  private readonly logger = new Logger(DiagnosticsProcessor.name);

  async process(job: Job<DiagnosticJobData, DiagnosticJobResult>): Promise<DiagnosticJobResult> {
    this.logger.log({ msg: 'diagnostic job processed', job_id: job.id });
    return { message: job.data.message, worker_pid: process.pid, processed_at: new Date().toISOString() };
  }
}
