import { describe, expect, it } from '@jest/globals';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { FairPriority, MAX_PRIORITY, rankedPriority } from '../../src/infrastructure/queue/fair-priority.js';
import type { SharedRedis } from '../../src/infrastructure/redis/shared-redis.js';

/** A FairPriority whose Redis records each decrement, or fails every one. */
function fairness(evalCall: (...args: unknown[]) => Promise<unknown>) {
  const calls: unknown[][] = [];
  const redis = {
    client: {
      eval: (...args: unknown[]) => {
        calls.push(args);
        return evalCall(...args);
      },
    },
  } as unknown as SharedRedis;
  return { calls, fair: new FairPriority(redis, { queue: { prefix: 'fp' } } as AppConfigService) };
}

describe('rankedPriority', () => {
  it("gives a tenant's first pending job priority 2, its n-th n + 1, and stops at BullMQ's largest", () => {
    expect([1, 2, 10].map(rankedPriority)).toEqual([2, 3, 11]);
    expect(rankedPriority(0)).toBe(2);
    expect(rankedPriority(-4)).toBe(2);
    expect(rankedPriority(5_000_000)).toBe(MAX_PRIORITY);
  });
});

describe('FairPriority.release', () => {
  const job = (priority: number | undefined, tenant_id: unknown = 'acme') => ({
    queueName: 'email',
    opts: { priority },
    data: { tenant_id },
  });

  it("decrements the tenant's counter of the job's queue for a ranked job only", async () => {
    const { calls, fair } = fairness(async () => 0);
    await fair.release(job(7));
    await fair.release(job(undefined));
    await fair.release(job(0));
    await fair.release(job(7, null));
    expect(calls.map((call) => call.slice(1))).toEqual([[1, 'fp:fair:email:acme']]);
  });

  it('never fails the job when Redis does not answer: the counter drifts instead', async () => {
    const { calls, fair } = fairness(async () => {
      throw new Error('Connection is closed.');
    });
    await expect(fair.release(job(3))).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});
