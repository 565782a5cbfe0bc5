// What every drill stands on: stores that can be stopped and started again on the same port with
// their data (the fault), a real SMTP server that records what arrives, the built API and worker as
// child processes. The HTTP client and fixtures they call it with are in harness/http-client.js.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../../harness/ports.js';
import { startSmtpSink } from '../../harness/smtp-sink.js';
import { mongoStoreCommand } from '../../harness/stores.js';

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
