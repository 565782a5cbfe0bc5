import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfigService } from '../config/app-config.service.js';
import { SharedRedis } from '../redis/shared-redis.js';

/**
 * Jobs a member waits for (a password reset, an invitation, a welcome, a webhook's test ping, the
 * notice that a webhook was disabled): no priority at all. BullMQ takes its wait list (jobs without
 * one) before its prioritized set, where the lowest number goes first, in the order added within one.
 */
export const URGENT_PRIORITY = 0;
/** A tenant's first pending job of a queue; its n-th gets `FIRST_RANKED + n - 1`. */
export const FIRST_RANKED = 2;
/** BullMQ's largest priority (2^21 - 1): a rank beyond it shares this one. */
export const MAX_PRIORITY = 2_097_151;
/**
 * A counter nobody added to for this long is dropped: whatever it drifted by (below) is forgotten
 * then. A day: longer than any backlog this system drains.
 */
const COUNTER_TTL_MS = 24 * 60 * 60 * 1000;

/** Decrements a tenant's counter; at zero (or below, after a drift) the key goes. */
const RELEASE_SCRIPT = `local left = redis.call('DECR', KEYS[1])
if left <= 0 then redis.call('DEL', KEYS[1]) end
return left`;

/** The priority of a tenant's job of rank `rank` (its 1st, 2nd… pending job of the queue). */
export function rankedPriority(rank: number): number {
  return Math.min(MAX_PRIORITY, FIRST_RANKED - 1 + Math.max(1, rank));
}

/**
 * Fairness between tenants within one queue: round-robin by rank. Each tenant has a counter per
 * queue of its pending ranked jobs (INCR when queued, DECR when a job ends: completed, or failed for
 * good); a new job's priority is its rank among them. Tenant B's first job (priority 2) thus goes
 * before tenant A's second, whatever A queued before it: a backlog delays another tenant's job by at
 * most one job per tenant with a backlog at each rank below it, plus the jobs already running.
 *
 * The counter only orders jobs, never decides whether one runs, so it may drift: a job that stalls
 * out, is removed (an erasure), or is queued twice under its deterministic id (a relay retry) leaves
 * it one too high; that tenant's later jobs then rank a little lower, until it drains to zero or
 * expires. Within a tenant, order is by rank, not strictly first in, first out.
 */
@Injectable()
export class FairPriority {
  private readonly logger = new Logger(FairPriority.name);
  private readonly prefix: string;

  constructor(
    private readonly redis: SharedRedis,
    config: AppConfigService,
  ) {
    this.prefix = config.queue.prefix;
  }

  /** The priorities of `count` new jobs of `tenantId` in `queue`, in the order they are added. */
  async next(queue: string, tenantId: string, count = 1): Promise<number[]> {
    const key = this.key(queue, tenantId);
    const answers = await this.redis.client.multi().incrby(key, count).pexpire(key, COUNTER_TTL_MS).exec();
    // A transaction answers null only when aborted (nothing here watches a key); an INCRBY on a key
    // holding a non-number answers an error, and the job is not queued.
    const [error, last] = answers?.[0] ?? [null, count];
    if (error) throw error;
    const first = Number(last) - count + 1;
    return Array.from({ length: count }, (_, index) => rankedPriority(first + index));
  }

  /** The priorities of new jobs, one per entry of `tenantIds` (each job's tenant), in that order. */
  async nextEach(queue: string, tenantIds: readonly string[]): Promise<number[]> {
    const perTenant = new Map<string, number[]>();
    for (const tenantId of new Set(tenantIds)) {
      perTenant.set(tenantId, await this.next(queue, tenantId, tenantIds.filter((id) => id === tenantId).length));
    }
    return tenantIds.map((tenantId) => perTenant.get(tenantId)!.shift()!);
  }

  /**
   * A ranked job ended (completed, or failed with no attempt left): its tenant has one pending job
   * fewer. Jobs added without a rank (urgent, or of a previous release) count nothing. Never throws:
   * a missed decrement is a drift (see above), not a failure of the job.
   */
  async release(job: Pick<Job, 'queueName' | 'opts' | 'data'>): Promise<void> {
    const tenantId = (job.data as { tenant_id?: unknown } | undefined)?.tenant_id;
    if ((job.opts?.priority ?? 0) < FIRST_RANKED || typeof tenantId !== 'string') return;
    try {
      await this.redis.client.eval(RELEASE_SCRIPT, 1, this.key(job.queueName, tenantId));
    } catch (error) {
      this.logger.warn({ msg: 'fair priority: pending count not decremented', err: (error as Error).message });
    }
  }

  private key(queue: string, tenantId: string): string {
    return `${this.prefix}:fair:${queue}:${tenantId}`;
  }
}
