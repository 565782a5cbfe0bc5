import { Processor } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { ErasureService, NotDeletedError } from './erasure.service.js';
import { type ErasureJob, ErasureJobName } from './erasure.types.js';
import { RetentionService } from './retention.service.js';
import { TenantErasureService } from './tenant-erasure.service.js';

/**
 * The `erasure` queue (job names in `ErasureJobName`). An erasure inside a tenant runs in the job's
 * tenant like every tenant job (`handle`); a deleted tenant's erasure and the scheduled runs work
 * across tenants in the system's name, past the gate that keeps a suspended tenant's jobs waiting.
 * Every job is retried (and resumes) on failure.
 */
@Processor(QueueName.erasure)
export class ErasureProcessor extends TenantScopedProcessor<ErasureJob> {
  constructor(
    private readonly erasure: ErasureService,
    private readonly tenantErasure: TenantErasureService,
    private readonly retention: RetentionService,
    config: AppConfigService,
  ) {
    super(config);
  }

  override async process(job: Job<ErasureJob>, token?: string): Promise<unknown> {
    switch (job.name) {
      case ErasureJobName.tenant:
        return this.tenantErasure.erase(job.data.id, job.id);
      case ErasureJobName.retention:
        return this.retention.run();
      case ErasureJobName.sweep:
        return { deleted_tenants_erased: await this.tenantErasure.finishPending() };
      default:
        return super.process(job, token);
    }
  }

  protected async handle(job: Job<ErasureJob>): Promise<unknown> {
    try {
      switch (job.name) {
        case ErasureJobName.member:
          return await this.erasure.eraseMember(job.data.id);
        case ErasureJobName.form:
          return await this.erasure.eraseForm(new Types.ObjectId(job.data.id));
        case ErasureJobName.responseFiles:
          return await this.erasure.eraseReleasedFiles(new Types.ObjectId(job.data.id));
        default:
          return await this.erasure.eraseResponse(new Types.ObjectId(job.data.id));
      }
    } catch (error) {
      if (error instanceof NotDeletedError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
