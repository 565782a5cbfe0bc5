import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { AppConfigService } from '../config/app-config.service.js';
import { TenantContext } from '../tenancy/tenant-context.js';
import { TenantDirectory } from '../tenancy/tenant-directory.js';
import { FairPriority } from './fair-priority.js';
import type { CatalogJob } from './job-catalog.js';
import { runWithTimeLimit } from './job-time-limit.js';
import { ObservedWorkerHost } from './observed-worker-host.js';

/** Whether `error` fails the job for good: no retry follows (a job put back to wait is still pending). */
function endsTheJob(job: Pick<Job, 'attemptsMade' | 'opts'>, error: unknown): boolean {
  if (error instanceof DelayedError) return false;
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts?.attempts ?? 1);
}

/** Every tenant's job carries its tenant; the queue producers guarantee it, the processors check it. */
export interface TenantJobData {
  tenant_id: string;
}

/**
 * Base of every processor of tenant data. Before any query it looks the job's tenant up and:
 * - fails without retrying a job that names no tenant, or a tenant that no longer exists;
 * - puts a suspended tenant's job back to wait (no attempt used), to look again after
 *   `QUEUE_SUSPENDED_TENANT_DELAY_MS`: its emails and webhooks go out once it is reactivated. A
 *   processor whose jobs must not wait for that opts out with `runsWhileSuspended` (erasures: a
 *   deleted response of a suspended tenant must not stay stored until its reactivation). A tenant
 *   being deleted (`deleting`) holds every job: its erasure removes them;
 * - otherwise runs it inside the tenant's context. `handle` gets an `AbortSignal` that fires at the
 *   job's time limit (`QUEUE_JOB_TIMEOUT_MS`): it stops on it, and the job then fails with a timeout
 *   error and is retried (see `runWithTimeLimit`).
 * A job that ends (completed, or failed with no attempt left) gives its tenant's rank back (see
 * `FairPriority`). `Jobs` is the queue's job catalog (see `job-catalog.ts`): every job of it carries its tenant.
 */
export abstract class TenantScopedProcessor<Jobs extends { [Name in keyof Jobs]: TenantJobData }, Result = unknown>
  extends ObservedWorkerHost
  implements OnApplicationBootstrap
{
  private readonly gateLogger = new Logger('TenantJobGate');
  @Inject(TenantDirectory) private readonly tenants!: TenantDirectory;
  @Inject(FairPriority) private readonly fairness?: FairPriority;
  private readonly limits: { concurrency: number; timeoutMs: number; suspendedDelayMs: number };
  /**
   * Whether this processor's jobs run while their tenant is suspended, instead of waiting for its
   * reactivation. Off unless a processor turns it on for work that must not wait (erasures); nothing
   * a suspended tenant should not do (send emails, deliver webhooks) may run so.
   */
  protected readonly runsWhileSuspended: boolean = false;

  constructor(config: AppConfigService) {
    super();
    const { concurrency, jobTimeoutMs, suspendedTenantDelayMs } = config.queue;
    this.limits = { concurrency, timeoutMs: jobTimeoutMs, suspendedDelayMs: suspendedTenantDelayMs };
  }

  /** After start-up: the worker exists only once every module is initialized. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.limits.concurrency;
  }

  async process(job: CatalogJob<Jobs, Result>, token?: string): Promise<Result> {
    try {
      const result = await this.gateAndRun(job, token);
      await this.fairness?.release(job);
      return result;
    } catch (error) {
      if (endsTheJob(job, error)) await this.fairness?.release(job);
      throw error;
    }
  }

  private async gateAndRun(job: CatalogJob<Jobs, Result>, token?: string): Promise<Result> {
    const tenantId = job.data?.tenant_id;
    if (typeof tenantId !== 'string' || tenantId.length === 0) {
      throw new UnrecoverableError(`Job ${job.id} of ${job.queueName} carries no tenant_id`);
    }
    const tenant = await this.tenants.find(tenantId);
    if (!tenant) throw new UnrecoverableError(`Job ${job.id} of ${job.queueName}: tenant '${tenantId}' does not exist`);
    if (tenant.status === 'deleting' || (tenant.status === 'suspended' && !this.runsWhileSuspended)) {
      this.gateLogger.log({
        msg: 'tenant suspended: job waits',
        queue: job.queueName,
        job_id: job.id,
        tenant_id: tenantId,
      });
      await job.moveToDelayed(Date.now() + this.limits.suspendedDelayMs, token);
      throw new DelayedError();
    }
    return runWithTimeLimit(job, { timeoutMs: this.limits.timeoutMs }, (signal) =>
      TenantContext.runForTenant(tenant, () => this.handle(job, signal)),
    );
  }

  /** The job's work; `signal` fires at its time limit: stop then, leaving nothing half done behind. */
  protected abstract handle(job: CatalogJob<Jobs, Result>, signal: AbortSignal): Promise<Result>;
}
