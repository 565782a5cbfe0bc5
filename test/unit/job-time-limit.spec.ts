import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { JobTimeoutError, longestJobRunMs, runWithTimeLimit } from '../../src/infrastructure/queue/job-time-limit.js';
import { TenantScopedProcessor, type TenantJobData } from '../../src/infrastructure/queue/tenant-scoped.processor.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';

const job = { id: 'export.1', queueName: 'export' };

/** Resolves when `signal` fires (never rejects): what work that honours its signal waits on. */
const abortOf = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('runWithTimeLimit', () => {
  it('fires the signal at the limit and fails the job only once the work has stopped and cleaned up', async () => {
    const steps: string[] = [];
    const started = Date.now();
    const outcome = runWithTimeLimit(job, { timeoutMs: 50, graceMs: 5_000 }, async (signal) => {
      await abortOf(signal);
      steps.push('aborted');
      await sleep(40); // removing a partial file
      steps.push('cleaned up');
      throw new DOMException('This operation was aborted', 'AbortError');
    }).catch((error: unknown) => {
      steps.push('job failed');
      return error;
    });
    const error = await outcome;
    // What the work threw while stopping is reported as the timeout, with the job's own words.
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect((error as Error).message).toBe('Job export.1 of export ran longer than 50 ms');
    expect(steps).toEqual(['aborted', 'cleaned up', 'job failed']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(85);
  });

  it('keeps the result of work done in time, and its signal never fires afterwards', async () => {
    let seen: AbortSignal | undefined;
    const result = await runWithTimeLimit(job, { timeoutMs: 60 }, async (signal) => {
      seen = signal;
      return 'done';
    });
    expect(result).toBe('done');
    await sleep(150);
    expect(seen?.aborted).toBe(false);
  });

  it("passes the work's own failure on unchanged when it comes before the limit", async () => {
    const failure = new Error('store down');
    await expect(
      runWithTimeLimit(job, { timeoutMs: 1_000 }, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });

  it('fails the job a grace period after the limit when the work ignores its signal, and says so in the log', async () => {
    const warnings: unknown[] = [];
    const warn = Logger.prototype.warn;
    Logger.prototype.warn = function (message: unknown) {
      warnings.push(message);
    };
    let finished = false;
    try {
      const started = Date.now();
      const outcome = runWithTimeLimit(job, { timeoutMs: 30, graceMs: 30 }, async () => {
        await sleep(600);
        finished = true;
      });
      await expect(outcome).rejects.toBeInstanceOf(JobTimeoutError);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(55);
      expect(elapsed).toBeLessThan(500);
      expect(finished).toBe(false);
      expect(warnings).toEqual([
        { msg: 'job did not stop at its time limit; failed anyway', queue: 'export', job_id: 'export.1' },
      ]);
    } finally {
      Logger.prototype.warn = warn;
    }
  });

  it('completes the job when the work finishes within the grace period after its signal', async () => {
    const result = await runWithTimeLimit(job, { timeoutMs: 30, graceMs: 1_000 }, async (signal) => {
      await abortOf(signal);
      return 'recorded anyway';
    });
    expect(result).toBe('recorded anyway');
  });
});

describe('longestJobRunMs', () => {
  it('is the time limit plus the grace: the limit itself, at most 10 s, unless the limit names one', () => {
    expect(longestJobRunMs({ timeoutMs: 5_000 })).toBe(10_000);
    expect(longestJobRunMs({ timeoutMs: 300_000 })).toBe(310_000);
    expect(longestJobRunMs({ timeoutMs: 300_000, graceMs: 1_000 })).toBe(301_000);
  });
});

/** A processor whose work the test supplies, with the tenant directory and the limits of a unit test. */
class ProbeProcessor extends TenantScopedProcessor<{ probe: TenantJobData }, string> {
  constructor(private readonly work: (signal: AbortSignal) => Promise<string>) {
    super({ queue: { concurrency: 1, jobTimeoutMs: 50, suspendedTenantDelayMs: 1_000 } } as AppConfigService);
    const tenants = { find: async (tenant_id: string) => ({ tenant_id, name: tenant_id, status: 'active' }) };
    Object.assign(this, { tenants });
  }

  protected handle(_job: Job<TenantJobData, string, 'probe'>, signal: AbortSignal): Promise<string> {
    return this.work(signal);
  }
}

describe('TenantScopedProcessor', () => {
  const tenantJob = (tenant_id: string) =>
    ({ id: 'webhook.7', queueName: 'webhook', data: { tenant_id } }) as Job<TenantJobData, string, 'probe'>;

  it("hands the work the job's signal inside the tenant's context", async () => {
    const processor = new ProbeProcessor(async (signal) => `${TenantContext.tenantId()}:${signal.aborted}`);
    expect(await processor.process(tenantJob('acme'))).toBe('acme:false');
  });

  it('aborts the work at the time limit and fails the job with a timeout only after the work stopped', async () => {
    const steps: string[] = [];
    const processor = new ProbeProcessor(async (signal) => {
      await abortOf(signal);
      steps.push(`stopped in ${TenantContext.tenantId()}`);
      throw signal.reason;
    });
    await expect(processor.process(tenantJob('acme'))).rejects.toThrow(
      'Job webhook.7 of webhook ran longer than 50 ms',
    );
    expect(steps).toEqual(['stopped in acme']);
  });
});
