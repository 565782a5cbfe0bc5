// Shared by the HTTP benchmarks: the built API as a child process on its own database, and a tenant
// with an editor signed in, reached over HTTP like any client.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { post } from '../../harness/http-client.js';
import { freePort, waitForHttp } from '../../harness/ports.js';
import { benchDatabaseUrl } from './load.js';

/** Runs `script` as a child process with `env`, until `stop()`; `pid` for reading its CPU time. */
export function spawnServer(script, env) {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return { pid: child.pid, stop: () => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) };
}

/**
 * `dist/main.js` on the database `bench_<database>`, with a fresh tenant whose registration is open
 * to editors and one editor signed in. Answers the base URL, the tenant, the editor's headers, stop().
 */
export async function startApiWithEditor(database, env = {}) {
  const adminKey = randomBytes(16).toString('hex');
  const port = await freePort();
  const server = spawnServer('dist/main.js', {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MONGO_URL: benchDatabaseUrl(database),
    QUEUE_PREFIX: `bench-${randomBytes(3).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_API_KEY: adminKey,
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health/live`);
  const tenant = `bench-${randomBytes(3).toString('hex')}`;
  await post(base, '/api/v1/admin/tenants', {
    headers: { 'x-admin-key': adminKey },
    body: {
      tenant_id: tenant,
      name: 'Bench',
      // Open registration as an editor: the quickest way to a member who may create forms and upload.
      settings: { max_responses_per_form: 100_000_000, registration: 'open', signup_role: 'editor' },
    },
  });
  const { access_token } = await post(base, '/api/v1/auth/register', {
    headers: { 'x-tenant-id': tenant },
    body: { email: 'owner@example.com', password: 'bench-password', name: 'Bench' },
  });
  return { base, tenant, auth: { authorization: `Bearer ${access_token}` }, pid: server.pid, stop: server.stop };
}
