// The hot path, side by side on the same store: a bare node:http server doing one insertOne per
// request, against the API's form submission (validated, quota-checked, stored, event emitted).
// Goal: the API at >= 0.6x the baseline's requests per second.
// Usage: npm run bench (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/submission.js)
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { benchDatabaseUrl, postLoad } from './support/load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ADMIN_KEY = randomBytes(16).toString('hex');
const submission = () => ({ data: { email: 'visitor@example.com', message: 'Hello from the benchmark', rating: 4 } });

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function waitForHttp(url) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

/** Runs `script` as a child process with `env`, until `stop()`. */
function spawnServer(script, env) {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return { stop: () => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) };
}

async function api(base, path, { method = 'POST', headers = {}, body } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function baseline() {
  const port = await freePort();
  const server = spawnServer(new URL('./support/bare-insert-server.js', import.meta.url).pathname, {
    PORT: String(port),
    MONGO_URL: benchDatabaseUrl('submission_baseline'),
  });
  await waitForHttp(`http://127.0.0.1:${port}/`);
  const result = await postLoad({
    url: `http://127.0.0.1:${port}/submit`,
    body: submission,
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    expectedStatus: 201,
  });
  await server.stop();
  return result;
}

async function submissions() {
  const port = await freePort();
  const server = spawnServer('dist/main.js', {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MONGO_URL: benchDatabaseUrl('submission_api'),
    QUEUE_PREFIX: `bench-${randomBytes(3).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_API_KEY: ADMIN_KEY,
    // Every client here is 127.0.0.1: the limit is counted on every request (its real cost) but never reached.
    RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '1000000000',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health/live`);
  const tenant = `bench-${randomBytes(3).toString('hex')}`;
  await api(base, '/api/v1/admin/tenants', {
    headers: { 'x-admin-key': ADMIN_KEY },
    body: {
      tenant_id: tenant,
      name: 'Bench',
      // Open registration as an editor: the quickest way to a member who may create the form.
      settings: { max_responses_per_form: 100_000_000, registration: 'open', signup_role: 'editor' },
    },
  });
  const { access_token } = await api(base, '/api/v1/auth/register', {
    headers: { 'x-tenant-id': tenant },
    body: { email: 'owner@example.com', password: 'bench-password', name: 'Bench' },
  });
  const auth = { authorization: `Bearer ${access_token}` };
  const form = await api(base, '/api/v1/forms', {
    headers: auth,
    body: {
      title: 'Bench',
      fields: [
        { key: 'email', type: 'email', label: 'Email', required: true },
        { key: 'message', type: 'textarea', label: 'Message', max_length: 2000 },
        { key: 'rating', type: 'number', label: 'Rating', min: 1, max: 5 },
      ],
    },
  });
  await api(base, `/api/v1/forms/${form.form_id}/publish`, { headers: auth });
  const result = await postLoad({
    url: `${base}/api/v1/forms/${form.form_id}/submit`,
    headers: { 'x-tenant-id': tenant },
    body: submission,
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    expectedStatus: 201,
  });
  await server.stop();
  return result;
}

const bare = await baseline();
const full = await submissions();
for (const name of ['submission_baseline', 'submission_api']) {
  const connection = await mongoose.createConnection(benchDatabaseUrl(name)).asPromise();
  await connection.dropDatabase();
  await connection.close();
}
const line = (label, result) =>
  `${label.padEnd(34)} ${result.rps.toFixed(0).padStart(6)} req/s  ${result.latency}  (non-201: ${result.failed})`;
console.log(`${SECONDS} s each, ${CONCURRENCY} concurrent keep-alive clients`);
console.log(line('node:http + one insertOne', bare));
console.log(line('POST /forms/:form_id/submit', full));
console.log(`ratio ${(full.rps / bare.rps).toFixed(2)}x (goal >= 0.60x)`);
