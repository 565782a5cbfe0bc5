import { Processor } from '@nestjs/bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { CatalogJob } from '../../infrastructure/queue/job-catalog.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import type { ExportJobs } from './export.types.js';
import { ExportsService } from './exports.service.js';

@Processor(QueueName.Export)
export class ExportProcessor extends TenantScopedProcessor<ExportJobs> {
  constructor(
    private readonly exports: ExportsService,
    config: AppConfigService,
  ) {
    super(config);
  }

  /** Stops on `signal` (the job's time limit); the last attempt's failure fails the export. */
  protected handle(job: CatalogJob<ExportJobs>, signal: AbortSignal): Promise<{ row_count: number }> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.exports.run(new Types.ObjectId(job.data.export_id), { signal, lastAttempt });
  }
}
