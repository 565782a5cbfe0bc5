import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../harness/ports.js';
import { startMongoStore, startRedisServer } from '../../harness/stores.js';
import { listeningPorts, startNode } from '../support/child-process.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { TEST_ADMIN_KEY, useTestEnvironment } from '../support/test-environment.js';

describe('entry points as real processes', () => {
  let api: E2eApp;

  beforeAll(async () => {
    useTestEnvironment('entry-points');
    api = await createE2eApp();
  });

  afterAll(() => api.close());

  it('refuses to start with bad configuration, naming the variable in one line', async () => {
    const started = startNode(['dist/main.js'], { JWT_SECRET: 'too-short', REDIS_URL: 'localhost' });
    expect(await started.exit()).toBe(1);
    expect(started.output()).toBe(
      'Invalid configuration: REDIS_URL is invalid (must be a redis:// or rediss:// URL); ' +
        'JWT_SECRET is invalid (must be at least 32 characters)\n',
    );
  });

  it('runs the worker without an HTTP port, processes jobs, and stops cleanly on SIGTERM', async () => {
    const worker = startNode(['dist/worker.js'], { LOG_LEVEL: 'info' });
    await worker.waitForOutput('worker started');
    expect(listeningPorts(worker.child.pid!)).toEqual([]);

    const enqueued = await api.http
      .post('/api/v1/admin/diagnostics/jobs')
      .set('x-admin-key', TEST_ADMIN_KEY)
      .send({ message: 'from the api' })
      .expect(202);
    const done = await eventually(
      () => api.http.get(`/api/v1/admin/diagnostics/jobs/${enqueued.body.job_id}`).set('x-admin-key', TEST_ADMIN_KEY),
      (response) => response.body.status === 'completed',
    );
    expect(done.body.result).toMatchObject({ message: 'from the api', worker_pid: worker.child.pid });

    worker.child.kill('SIGTERM');
    expect(await worker.exit()).toBe(0);
    expect(worker.output()).toContain('"msg":"stopped"');
    for (const line of worker.output().trim().split('\n')) {
      expect(JSON.parse(line)).toMatchObject({ service: 'worker', level: expect.any(String) });
    }
  });

  it('stops the worker and the API within SHUTDOWN_TIMEOUT_MS when Redis and MongoDB are gone', async () => {
    const [redis, mongo] = await Promise.all([startRedisServer(), startMongoStore()]);
    const stores = { REDIS_URL: redis.url, MONGO_URL: mongo.url, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '3000' };
    const worker = startNode(['dist/worker.js'], stores);
    const apiProcess = startNode(['dist/main.js'], { ...stores, PORT: String(await freePort()) });
    await Promise.all([worker.waitForOutput('worker started'), apiProcess.waitForOutput('API listening')]);
    await Promise.all([redis.stop(), mongo.stop()]);

    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    apiProcess.child.kill('SIGTERM');
    const exits = await Promise.all([worker.exit(), apiProcess.exit()]);

    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(exits.every((code) => code === 0 || code === 1)).toBe(true);
    for (const run of [worker, apiProcess])
      expect(run.output()).toMatch(/"msg":"(stopped|shutdown deadline passed[^"]*)"/);
  }, 30_000);

  it('checks the stores from the CLI, failing when one does not answer', async () => {
    const healthy = startNode(['dist/cli.js', 'check']);
    expect(await healthy.exit()).toBe(0);
    expect(JSON.parse(healthy.stdout())).toMatchObject({ status: 'ok' });

    const unreachable = startNode(['dist/cli.js', 'check'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await unreachable.exit()).toBe(1);
    expect(JSON.parse(unreachable.stdout())).toMatchObject({
      statusCode: 503,
      error: 'not_ready',
      details: [{ field: 'redis', message: expect.any(String) }],
    });
  });

  it('invites from the CLI: prints an accept link (no email) that makes an owner once; refuses bad input', async () => {
    await api.http
      .post('/api/v1/admin/tenants')
      .set('x-admin-key', TEST_ADMIN_KEY)
      .send({ tenant_id: 'cli-co', name: 'CLI Co' })
      .expect(201);
    const invited = startNode([
      'dist/cli.js',
      'invite',
      '--tenant',
      'cli-co',
      '--email',
      'root@cli.test',
      '--role',
      'owner',
    ]);
    expect(await invited.exit()).toBe(0);
    const link = /^(http:\/\/\S+\/accept-invitation\?tenant=cli-co&token=\S+)$/m.exec(invited.stdout())?.[1];
    expect(link).toBeDefined();
    const token = new URL(link ?? '').searchParams.get('token');
    const accepted = await api.http
      .post('/api/v1/auth/invitations/accept')
      .set('x-tenant-id', 'cli-co')
      .send({ token, name: 'Root', password: 'password-123' })
      .expect(201);
    expect(accepted.body.user).toMatchObject({ email: 'root@cli.test', role: 'owner' });

    const unknownTenant = startNode(['dist/cli.js', 'invite', '--tenant', 'no-such-co', '--email', 'a@b.test']);
    expect(await unknownTenant.exit()).toBe(1);
    expect(unknownTenant.output()).toContain('invite failed: Tenant not found');
    const badRole = startNode([
      'dist/cli.js',
      'invite',
      '--tenant',
      'cli-co',
      '--email',
      'a@b.test',
      '--role',
      'admin',
    ]);
    expect(await badRole.exit()).not.toBe(0);
    expect(badRole.output()).toContain('--role must be one of viewer, editor, owner');
  });
});
