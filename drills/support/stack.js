// What every drill stands on: stores that can be stopped and started again on the same port with
// their data (the fault), a real SMTP server that records what arrives, the built API and worker as
// child processes, and a tenant with a signed-in owner, reached over HTTP like any client.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { mongoStoreCommand } from '../../test/support/stores.js';
import { freePort, waitForPort } from './ports.js';

/** Where every process of a drill writes its output (printed at the end of the drill). */
export const DRILL_LOGS = mkdtempSync(join(tmpdir(), 'form-backend-drill-logs-'));

/** A child process that can be killed and started again with the same command; output in DRILL_LOGS. */
function restartable(name, command, args, port, env = {}) {
  let child;
  const self = {
    port,
    async start() {
      const log = openSync(join(DRILL_LOGS, `${name}.log`), 'a');
      child = spawn(command, args, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
      closeSync(log);
      child.once('exit', (code, signal) => {
        if (code && !self.stopping)
          process.stderr.write(`${name} exited ${code ?? signal}: see ${DRILL_LOGS}/${name}.log\n`);
      });
      self.stopping = false;
      await waitForPort(port, name);
    },
    /** SIGTERM (a clean stop), or `signal` (SIGKILL: a crash). */
    async stop(signal = 'SIGTERM') {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      self.stopping = true;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
  return self;
}

/**
 * Redis with an append-only file fsynced on every write (what production runs), and the
 * MongoDB-compatible store scripts/lib.sh chose (MONGOD_BIN when it found a mongod, else FerretDB),
 * each in its own folder so a restart finds its data again.
 */
export async function startStores() {
  const dir = mkdtempSync(join(tmpdir(), 'form-backend-drill-'));
  const redisPort = await freePort();
  const redis = restartable(
    'redis-server',
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    redisPort,
  );
  const mongoPort = await freePort();
  const store = mongoStoreCommand(dir, mongoPort);
  const mongo = restartable(store.name, store.command, store.args, mongoPort);
  await Promise.all([redis.start(), mongo.start()]);
  return {
    redis,
    mongo,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    mongoUrl: `mongodb://127.0.0.1:${mongoPort}/drill`,
    async stop() {
      await Promise.all([redis.stop(), mongo.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real SMTP server that keeps every message it accepts (`delayMs` slows each one down). */
export async function startSmtpSink({ delayMs = 0 } = {}) {
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          if (delayMs) await sleep(delayMs);
          messages.push({
            to: mail.to?.text ?? '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            messageId: mail.messageId,
          });
          callback();
        })
        .catch(callback);
    },
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, messages, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** The built API and worker on `stores`, with `env` on top of settings fit for a drill. */
export async function startApp(stores, smtpUrl, env = {}) {
  const port = await freePort();
  const metricsPort = await freePort();
  const adminKey = randomBytes(16).toString('hex');
  const settings = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    WORKER_METRICS_PORT: String(metricsPort),
    WORKER_METRICS_HOST: '127.0.0.1',
    MONGO_URL: stores.mongoUrl,
    REDIS_URL: stores.redisUrl,
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'drill@form-backend.test',
    APP_URL: 'http://app.form-backend.test',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_API_KEY: adminKey,
    QUEUE_PREFIX: `drill-${randomBytes(3).toString('hex')}`,
    // Every client of a drill is 127.0.0.1: limits are counted (their real cost) but never reached.
    RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '1000000',
    RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE: '1000000',
    RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE: '1000000',
    RATE_LIMIT_ACCOUNT_CALLS_PER_MINUTE: '1000000',
    LOGIN_MAX_ATTEMPTS_PER_IP: '1000000',
    ...env,
  };
  const api = restartable('api', process.execPath, ['dist/main.js'], port, settings);
  const worker = restartable('worker', process.execPath, ['dist/worker.js'], metricsPort, settings);
  await Promise.all([api.start(), worker.start()]);
  return {
    base: `http://127.0.0.1:${port}`,
    adminKey,
    settings,
    api,
    worker,
    stop: () => Promise.all([api.stop(), worker.stop()]),
  };
}

/** Stores, an SMTP server (each email taking `smtpDelayMs`) and the app on them; `stop()` ends all three. */
export async function startStack(env = {}, { smtpDelayMs = 0 } = {}) {
  const stores = await startStores();
  const smtp = await startSmtpSink({ delayMs: smtpDelayMs });
  const app = await startApp(stores, smtp.url, env);
  return {
    stores,
    smtp,
    app,
    async stop() {
      await app.stop();
      await smtp.stop();
      await stores.stop();
    },
  };
}

/** An anonymous visitor's submission of `email` to the tenant's form. */
export function submit(app, tenant, formId, email) {
  return call(app.base, `/api/v1/forms/${formId}/submit`, {
    method: 'POST',
    headers: { 'x-tenant-id': tenant },
    body: { data: { email } },
  });
}

/** One JSON call; answers `{ status, body, ms }` and never throws for an HTTP status. */
export async function call(base, path, { method = 'GET', headers = {}, body, timeoutMs = 30_000 } = {}) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: globalThis.AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed, ms: performance.now() - started };
}

async function expectStatus(pending, status, what) {
  const answer = await pending;
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * A tenant created with the admin key and its owner signed in: the owner's invitation comes from the
 * operators' CLI (`invite`), and is accepted over HTTP. Answers the tenant id and the owner's headers.
 */
export async function tenantWithOwner(app, settings = {}, tenantId = undefined) {
  const tenant = tenantId ?? `drill-${randomBytes(3).toString('hex')}`;
  await expectStatus(
    call(app.base, '/api/v1/admin/tenants', {
      method: 'POST',
      headers: { 'x-admin-key': app.adminKey },
      body: { tenant_id: tenant, name: 'Drill', settings },
    }),
    201,
    'create tenant',
  );
  const email = 'owner@drill.test';
  const printed = execFileSync(
    process.execPath,
    ['dist/cli.js', 'invite', '--tenant', tenant, '--email', email, '--role', 'owner'],
    { env: { ...process.env, ...app.settings, LOG_LEVEL: 'silent' }, encoding: 'utf8' },
  );
  const token = new URL(printed.trim().split('\n').at(-1)).searchParams.get('token');
  const accepted = await expectStatus(
    call(app.base, '/api/v1/auth/invitations/accept', {
      method: 'POST',
      headers: { 'x-tenant-id': tenant },
      body: { token, name: 'Owner', password: 'drill-password' },
    }),
    201,
    'accept invitation',
  );
  return { tenant, email, headers: { authorization: `Bearer ${accepted.access_token}` } };
}

/** A published form whose responses notify the owner by email. */
export async function publishedForm(app, owner) {
  const form = await expectStatus(
    call(app.base, '/api/v1/forms', {
      method: 'POST',
      headers: owner.headers,
      body: {
        title: 'Drill',
        fields: [{ key: 'email', type: 'email', label: 'Email', required: true }],
        settings: { send_notification: true },
      },
    }),
    201,
    'create form',
  );
  await expectStatus(
    call(app.base, `/api/v1/forms/${form.form_id}/publish`, { method: 'POST', headers: owner.headers }),
    200,
    'publish form',
  );
  return form.form_id;
}

/** Polls `read` until `done(value)` or `timeoutMs`; answers the last value either way. */
export async function waitFor(read, done, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(intervalMs);
    value = await read();
  }
  return value;
}
