import type { OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { TenantContext } from '../tenancy/tenant-context.js';
import { ObservedWorkerHost } from './observed-worker-host.js';

/** Every tenant's job carries its tenant; the queue producers guarantee it, the processors check it. */
export interface TenantJobData {
  tenant_id: string;
}

export interface ProcessorLimits {
  concurrency: number;
  timeoutMs: number;
}

export class JobTimeoutError extends Error {
  constructor(job: Job, timeoutMs: number) {
    super(`Job ${job.id} of ${job.queueName} ran longer than ${timeoutMs} ms`);
  }
}

/**
 * Base of every processor of tenant data: re-enters the job's tenant context before any query, fails
 * (without retrying) a job that names no tenant rather than running it unscoped, and fails a job that
 * runs past its time limit so that it is retried.
 */
export abstract class TenantScopedProcessor<Data extends TenantJobData, Result = unknown>
  extends ObservedWorkerHost
  implements OnApplicationBootstrap
{
  constructor(private readonly limits: ProcessorLimits) {
    super();
  }

  /** After start-up: the worker exists only once every module is initialized. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.limits.concurrency;
  }

  async process(job: Job<Data, Result>): Promise<Result> {
    const tenantId = job.data?.tenant_id;
    if (typeof tenantId !== 'string' || tenantId.length === 0) {
      throw new UnrecoverableError(`Job ${job.id} of ${job.queueName} carries no tenant_id`);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JobTimeoutError(job, this.limits.timeoutMs)), this.limits.timeoutMs);
    });
    try {
      return await Promise.race([TenantContext.runForTenant(tenantId, () => this.handle(job)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  protected abstract handle(job: Job<Data, Result>): Promise<Result>;
}
