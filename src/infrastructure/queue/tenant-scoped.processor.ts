import { WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { TenantContext } from '../tenancy/tenant-context.js';

/** Every tenant's job carries its tenant; the queue producers guarantee it, the processors check it. */
export interface TenantJobData {
  tenant_id: string;
}

/**
 * Base of every processor of tenant data: re-enters the job's tenant context before any query, and
 * fails (without retrying) a job that names no tenant, rather than running it unscoped.
 */
export abstract class TenantScopedProcessor<Data extends TenantJobData, Result = unknown> extends WorkerHost {
  async process(job: Job<Data, Result>): Promise<Result> {
    const tenantId = job.data?.tenant_id;
    if (typeof tenantId !== 'string' || tenantId.length === 0) {
      throw new UnrecoverableError(`Job ${job.id} of ${job.queueName} carries no tenant_id`);
    }
    return TenantContext.runForTenant(tenantId, () => this.handle(job));
  }

  protected abstract handle(job: Job<Data, Result>): Promise<Result>;
}
