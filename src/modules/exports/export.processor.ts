import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { type ExportJob, ExportsService } from './exports.service.js';

@Processor(QueueName.export)
export class ExportProcessor extends TenantScopedProcessor<ExportJob> {
  constructor(
    private readonly exports: ExportsService,
    config: AppConfigService,
  ) {
    super(config);
  }

  protected handle(job: Job<ExportJob>): Promise<{ row_count: number }> {
    return this.exports.run(new Types.ObjectId(job.data.export_id));
  }
}
