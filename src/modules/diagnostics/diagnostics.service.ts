import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../../infrastructure/http/api-error.js';
import type { CatalogQueue } from '../../infrastructure/queue/job-catalog.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import type { DiagnosticJobDto } from './diagnostics.dto.js';
import type { DiagnosticJobResult, DiagnosticJobs } from './diagnostics.types.js';

/** Puts a trivial job through the queue so operators can see the worker pick work up end to end. */
@Injectable()
export class DiagnosticsService {
  constructor(
    @InjectQueue(QueueName.Diagnostics)
    private readonly queue: CatalogQueue<DiagnosticJobs, DiagnosticJobResult>,
  ) {}

  async enqueue(message = 'ping'): Promise<DiagnosticJobDto> {
    const job = await this.queue.add('ping', { message, requested_at: new Date().toISOString() }, { attempts: 1 });
    return { job_id: String(job.id), status: 'waiting' };
  }

  async find(jobId: string): Promise<DiagnosticJobDto> {
    // State first, then the job: read the other way round, a job that completes in between would
    // answer "completed" without its result.
    const status = await this.queue.getJobState(jobId);
    const job = status === 'unknown' ? undefined : await this.queue.getJob(jobId);
    if (!job) throw ApiError.notFound('Diagnostic job');
    const dto: DiagnosticJobDto = { job_id: String(job.id), status };
    if (job.returnvalue) dto.result = job.returnvalue;
    if (job.failedReason) dto.failed_reason = job.failedReason;
    return dto;
  }
}
