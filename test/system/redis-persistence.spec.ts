import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { freePort } from '../../harness/ports.js';

/**
 * The plan's acceptance: the dev stack's Redis keeps queue state across a restart. Starts Redis the
 * way `npm start` does (`start_redis … yes` in scripts/lib.sh: AOF on), queues a job, stops Redis
 * with SIGTERM as a host shutdown would, starts it again on the same directory and finds the job.
 */
describe('the dev Redis keeps queue state across a restart (AOF)', () => {
  let dir: string;
  let port: number;

  const startDevRedis = () =>
    execFileSync('bash', ['-c', `source scripts/lib.sh && start_redis "${dir}" ${port} yes`], { stdio: 'ignore' });
  const stopDevRedis = async () => {
    const pid = Number(await readFile(join(dir, 'redis.pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    for (let attempt = 0; attempt < 100; attempt += 1) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`redis-server ${pid} did not stop`);
  };
  const queue = () => new Queue('persistence-probe', { connection: { url: `redis://127.0.0.1:${port}` } });

  afterAll(async () => {
    await stopDevRedis().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a queued job again after Redis restarts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'form-backend-redis-aof-'));
    port = await freePort();
    startDevRedis();
    const before = queue();
    await before.add('probe', { response_id: 'r-1' }, { jobId: 'probe-1', delay: 60_000 });
    await before.close();

    await stopDevRedis();
    startDevRedis();

    const after = queue();
    const job = await after.getJob('probe-1');
    expect(job?.data).toEqual({ response_id: 'r-1' });
    expect(await after.getJobState('probe-1')).toBe('delayed');
    await after.close();
  });
});
