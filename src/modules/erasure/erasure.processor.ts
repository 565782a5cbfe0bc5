import { Processor } from '@nestjs/bullmq';
import { UnrecoverableError } from 'bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { CatalogJob } from '../../infrastructure/queue/job-catalog.js';
import { runWithTimeLimit } from '../../infrastructure/queue/job-time-limit.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { ErasureService, NotDeletedError } from './erasure.service.js';
import { ErasureJobName, type ErasureJobs, type TenantErasureJobs } from './erasure.types.js';
import { RetentionService } from './retention.service.js';
import { TenantErasureService } from './tenant-erasure.service.js';

/**
 * The `erasure` queue (job names in `ErasureJobName`). An erasure inside a tenant runs in the job's
 * tenant like every tenant job (`handle`), a suspended tenant's too (`runsWhileSuspended`): what was
 * deleted goes without waiting for a reactivation that may never come. A deleted tenant's erasure and
 * the scheduled runs work across tenants in the system's name, past the tenant gate. Every job is
 * retried (and resumes) on failure.
 */
@Processor(QueueName.Erasure)
export class ErasureProcessor extends TenantScopedProcessor<TenantErasureJobs> {
  constructor(
    private readonly erasure: ErasureService,
    private readonly tenantErasure: TenantErasureService,
    private readonly retention: RetentionService,
    private readonly config: AppConfigService,
  ) {
    super(config);
  }

  protected override readonly runsWhileSuspended = true;

  /** The jobs of no one tenant run in the system's name, under the same time limit as tenant jobs. */
  override async process(job: CatalogJob<ErasureJobs>, token?: string): Promise<unknown> {
    const limit = { timeoutMs: this.config.queue.jobTimeoutMs };
    switch (job.name) {
      case ErasureJobName.Tenant:
        return runWithTimeLimit(job, limit, (signal) => this.tenantErasure.erase(job.data.id, job.id, signal));
      case ErasureJobName.Retention:
        return runWithTimeLimit(job, limit, (signal) => this.retention.run(new Date(), signal));
      case ErasureJobName.Sweep:
        return runWithTimeLimit(job, limit, async (signal) => ({
          deleted_tenants_erased: await this.tenantErasure.finishPending(signal),
        }));
      default:
        return super.process(job, token);
    }
  }

  /** A form's erasure stops between batches once `signal` (the job's time limit) fired; its retry resumes it. */
  protected async handle(job: CatalogJob<TenantErasureJobs>, signal: AbortSignal): Promise<unknown> {
    try {
      switch (job.name) {
        case ErasureJobName.Member:
          return await this.erasure.eraseMember(job.data.id);
        case ErasureJobName.Form:
          return await this.erasure.eraseForm(new Types.ObjectId(job.data.id), async () => signal.throwIfAborted());
        case ErasureJobName.ResponseFiles:
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
