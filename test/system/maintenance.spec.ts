import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DiagnosticsProcessor } from '../../src/modules/diagnostics/diagnostics.processor.js';
import { DiagnosticsService } from '../../src/modules/diagnostics/diagnostics.service.js';
import { startNode } from '../support/child-process.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

/** Runs the real CLI entry point against this file's database. */
async function cli(...args: string[]): Promise<{ code: number | null; stdout: string }> {
  const run = startNode(['dist/cli.js', ...args], { LOG_LEVEL: 'silent' });
  return { code: await run.exit(), stdout: run.stdout() };
}

describe('maintenance mode: every API replica answers 503, every worker pauses, within a second', () => {
  let replicaA: E2eApp;
  let replicaB: E2eApp;
  let worker: TestWorker;

  const answers = async () =>
    Promise.all(
      [replicaA, replicaB].flatMap((replica) => [
        replica.http.get('/api/v1/forms/0123456789abcdef01234567/public').set('x-tenant-id', 'default'),
        replica.http.get('/api/v1/admin/tenants').set('x-admin-key', 'x'),
      ]),
    );

  beforeAll(async () => {
    useTestEnvironment('maintenance');
    replicaA = await createE2eApp();
    replicaB = await createE2eApp();
    worker = await startWorker();
  });

  afterAll(async () => {
    await cli('maintenance', 'off');
    await worker.stop();
    await replicaB.app.close();
    await replicaA.close();
  });

  it('turns on from the CLI: 503 maintenance with Retry-After everywhere but health, on both replicas', async () => {
    expect((await answers()).map((answer) => answer.status)).toEqual([404, 401, 404, 401]);

    const turnedOn = await cli('maintenance', 'on', '--retry-after', '120');
    expect(turnedOn).toEqual({
      code: 0,
      stdout: 'maintenance on, Retry-After 120 s (every process follows within 1 s)\n',
    });
    const during = await eventually(answers, (list) => list.every((answer) => answer.status === 503), 1_000);
    for (const answer of during) {
      expect(answer.body).toEqual({
        statusCode: 503,
        error: 'maintenance',
        message: 'Down for maintenance; try again later',
      });
      expect(answer.headers['retry-after']).toBe('120');
    }
    // A visitor's form post from a web page gets a page a person can read.
    const formPost = await replicaA.http
      .post('/api/v1/forms/000000000000000000000000/submit?tenant=acme')
      .set('accept', 'text/html')
      .type('form')
      .send('email=a%40example.com');
    expect([formPost.status, formPost.headers['content-type'], formPost.headers['retry-after']]).toEqual([
      503,
      'text/html; charset=utf-8',
      '120',
    ]);
    expect(formPost.text).toContain('(maintenance)');
    await replicaA.http.get('/health/live').expect(200);
    await replicaB.http.get('/health/ready').expect(200);
  });

  it('pauses the worker: a job queued during maintenance runs only once it is off', async () => {
    const diagnostics = worker.get(DiagnosticsProcessor);
    await eventually(
      async () => diagnostics.worker.isPaused(),
      (paused) => paused,
      1_000,
    );
    const { job_id } = await replicaA.app.get(DiagnosticsService).enqueue('during maintenance');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await replicaA.app.get(DiagnosticsService).find(job_id)).status).toBe('waiting');

    expect((await cli('maintenance', 'off')).code).toBe(0);
    await eventually(answers, (list) => list.every((answer) => answer.status !== 503), 1_000);
    const done = await eventually(
      () => replicaA.app.get(DiagnosticsService).find(job_id),
      (job) => job.status === 'completed',
      10_000,
    );
    expect(done.result).toMatchObject({ message: 'during maintenance' });
  });

  it('refuses an unknown state in one line, changing nothing', async () => {
    const refused = startNode(['dist/cli.js', 'maintenance', 'sideways'], { LOG_LEVEL: 'silent' });
    expect(await refused.exit()).toBe(1);
    expect(refused.output()).toBe('maintenance failed: the state must be "on" or "off", not "sideways"\n');
    expect(await cli('maintenance')).toEqual({ code: 0, stdout: 'maintenance off\n' });
  });
});
