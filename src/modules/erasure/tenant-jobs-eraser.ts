import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { JobType, Queue } from 'bullmq';
import { QueueName } from '../../infrastructure/queue/queue-names.js';

/** Every state a job can rest in; active jobs are locked by a worker and finish (or fail) first. */
const RESTING_STATES: JobType[] = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'];
const PAGE = 500;

/**
 * Removes a deleted tenant's jobs from every queue, whatever their state: queued work would otherwise
 * wait for a tenant that is gone, and kept jobs (completed, failed) still hold its data.
 */
@Injectable()
export class TenantJobsEraser {
  private readonly logger = new Logger(TenantJobsEraser.name);

  constructor(private readonly moduleRef: ModuleRef) {}

  async eraseAll(tenantId: string): Promise<number> {
    let removed = 0;
    for (const name of Object.values(QueueName)) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      removed += await this.eraseFrom(queue, tenantId);
    }
    this.logger.log({ msg: 'tenant deletion: queued jobs removed', tenant_id: tenantId, removed });
    return removed;
  }

  /**
   * How many of the tenant's jobs a worker is running now, in every queue (`exceptJobId`: the job
   * asking). Such a job may still write the tenant's documents: its erasure waits for it to end.
   */
  async countActive(tenantId: string, exceptJobId?: string): Promise<number> {
    let active = 0;
    for (const name of Object.values(QueueName)) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      const jobs = await queue.getJobs(['active']);
      active += jobs.filter(
        (job) => (job?.data as { tenant_id?: unknown } | undefined)?.tenant_id === tenantId && job.id !== exceptJobId,
      ).length;
    }
    return active;
  }

  private async eraseFrom(queue: Queue, tenantId: string): Promise<number> {
    let removed = 0;
    for (const state of RESTING_STATES) {
      for (let start = 0; ; start += PAGE) {
        const jobs = await queue.getJobs([state], start, start + PAGE - 1);
        for (const job of jobs) {
          if ((job?.data as { tenant_id?: unknown } | undefined)?.tenant_id !== tenantId) continue;
          // A job a worker took meanwhile is locked: it ends first, and the next pass removes it.
          if (
            await job.remove().then(
              () => true,
              () => false,
            )
          ) {
            removed += 1;
            // Later jobs of this state move one place forward.
            start -= 1;
          }
        }
        if (jobs.length < PAGE) break;
      }
    }
    return removed;
  }
}
