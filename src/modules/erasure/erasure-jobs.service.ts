import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type Logger } from '@nestjs/common';
import type { JobsOptions, JobState } from 'bullmq';
import type { CatalogQueue } from '../../infrastructure/queue/job-catalog.js';
import { jobIdFor } from '../../infrastructure/queue/job-id.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RecurringJobs } from '../../infrastructure/queue/recurring-jobs.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import type { EventEnvelope } from '../events/index.js';
import type { ErasureJob, ErasureJobs, ErasureKind } from './erasure.types.js';

/** A tenant's erasure job in these states will run, or runs now. */
const UNDER_WAY: (JobState | 'unknown')[] = ['waiting', 'prioritized', 'active'];

/**
 * The `erasure` queue, held by this module alone: the erasure jobs an event asks for, the worker's
 * schedules, and whether a tenant's own erasure job is under way. Job ids are deterministic, so asking
 * again (a relay retry) finds the job already there.
 */
@Injectable()
export class ErasureJobsService {
  constructor(
    @InjectQueue(QueueName.Erasure) private readonly queue: CatalogQueue<ErasureJobs>,
    private readonly redis: RedisAvailability,
  ) {}

  /** The erasure of what `event` deleted (or, for `response-files`, changed). */
  async erase(kind: Exclude<ErasureKind, 'tenant'>, event: EventEnvelope): Promise<void> {
    this.redis.assertAvailable();
    await this.queue.add(kind, jobOf(kind, event), { jobId: jobIdFor(event.event_id, 'erase') });
  }

  /**
   * One erasure per tenant at a time, however often it is asked (a fixed job id; asked again after it
   * failed, it runs again), and removed once done: nothing of the tenant, not even its id, stays in a
   * queue.
   */
  async eraseTenant(event: EventEnvelope): Promise<void> {
    this.redis.assertAvailable();
    const jobId = tenantErasureJobId(event.entity_id);
    const failed = await this.queue.getJob(jobId);
    if (failed && (await failed.isFailed())) return failed.retry();
    const options: JobsOptions = { jobId, removeOnComplete: true };
    await this.queue.add('tenant', jobOf('tenant', event), options);
  }

  /**
   * Whether the tenant's own erasure job waits to run or runs now: the hourly sweep leaves that
   * tenant to it. One delayed before a retry (it failed) is not: the sweep may finish it first.
   */
  async tenantErasureUnderWay(tenantId: string): Promise<boolean> {
    return UNDER_WAY.includes(await this.queue.getJobState(tenantErasureJobId(tenantId)));
  }

  /** The queue's recurring jobs, set by the worker (`ErasureSchedules`). */
  recurringJobs(logger: Logger): RecurringJobs<ErasureJobs> {
    return new RecurringJobs(this.queue, logger);
  }
}

/** The one job id of a tenant's erasure. */
export const tenantErasureJobId = (tenantId: string) => `erase-tenant.${tenantId}`;

const jobOf = (kind: ErasureKind, event: EventEnvelope): ErasureJob => ({
  tenant_id: event.tenant_id,
  kind,
  id: event.entity_id,
});
