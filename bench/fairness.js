// Fairness between tenants in background work, on the real stores, the built API, two worker
// processes and a real SMTP server. Tenant A submits BENCH_FAIRNESS_SUBMISSIONS (200) times through
// the API to a form that notifies its owner, its webhook pointing at a receiver that answers 503 after
// BENCH_FAIRNESS_SLOW_MS; then BENCH_FAIRNESS_BACKLOG (10,000) response notifications and as many
// webhook deliveries of A are queued by the app's own producers (see queueBacklog), the workers
// stopped meanwhile, then started. 3 s later, BENCH_FAIRNESS_PROBES other tenants (B), a few seconds
// apart, each ask for a password reset and submit once to their own form (a notification email and
// a webhook to a receiver that answers at once). Reported: how long B's two emails and B's webhook
// took to arrive (p50/p99 over every probe of BENCH_FAIRNESS_RUNS runs; a probe still waiting after
// BENCH_FAIRNESS_WAIT_S counts as that long, marked >), and the email and webhook jobs the workers ran
// per second meanwhile (from their metrics; nearly all A's: its throughput).
// Prints a table and the line `fairness: <seconds>` (the slowest email of B, p99), writes
// bench/results/fairness.json.
// Usage: npm run bench -- fairness
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import mongoose from 'mongoose';
import { DRILL_LOGS, startApp } from '../drills/support/stack.js';
import { call, publishedForm, submit, tenantWithOwner } from '../harness/http-client.js';
import { freePort, waitForPort } from '../harness/ports.js';
import { startSmtpSink } from '../harness/smtp-sink.js';
import { benchDatabaseUrl } from './support/load.js';
import { benchContext } from './support/nest-context.js';

const BACKLOG = Number(process.env.BENCH_FAIRNESS_BACKLOG ?? 10_000);
/** A's real submissions, whose responses and events the backlog's jobs name in turn. */
const SUBMISSIONS = Number(process.env.BENCH_FAIRNESS_SUBMISSIONS ?? 200);
const RUNS = Number(process.env.BENCH_FAIRNESS_RUNS ?? 2);
const PROBES = Number(process.env.BENCH_FAIRNESS_PROBES ?? 3);
const WORKERS = Number(process.env.BENCH_FAIRNESS_WORKERS ?? 2);
const WAIT_S = Number(process.env.BENCH_FAIRNESS_WAIT_S ?? 120);
const SLOW_MS = Number(process.env.BENCH_FAIRNESS_SLOW_MS ?? 2000);
const PROBE_EVERY_MS = 5000;
/** How long the workers' throughput is measured, from the first probe on. */
const THROUGHPUT_S = 30;
const PARALLEL = 16;
/** The goal: another tenant's emails arrive within this while A's backlog drains. */
const GOAL_S = 5;

/** A webhook receiver: `slow` answers 503 after SLOW_MS; the other answers 204 at once, noting arrivals. */
async function receiver(slow) {
  const arrivals = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      if (slow) return setTimeout(() => response.writeHead(503).end(), SLOW_MS);
      arrivals.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    arrivals,
    stop: () => new Promise((resolve) => server.close(resolve).closeAllConnections()),
  };
}

/**
 * Email and webhook jobs run so far (completed, or an attempt failed) by the workers whose metrics
 * listen on `ports`: nearly all of them tenant A's.
 */
async function jobsRun(ports) {
  let total = 0;
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const [, queue, count] of text.matchAll(/^queue_job_duration_seconds_count\{([^}]*)\} (\d+)/gm)) {
      if (/queue="(email|webhook)"/.test(queue)) total += Number(count);
    }
  }
  return total;
}

/** One more worker process on the app's settings (the app's own is `app.worker`). */
async function extraWorker(app, index) {
  const port = await freePort();
  const log = openSync(join(DRILL_LOGS, `worker-${index}.log`), 'a');
  const child = spawn(process.execPath, ['dist/worker.js'], {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...app.settings, WORKER_METRICS_PORT: String(port) },
  });
  closeSync(log);
  await waitForPort(port, `worker-${index}`);
  return { port, stop: () => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) };
}

async function subscribe(app, owner, url) {
  const answer = await call(app.base, '/api/v1/webhooks', {
    method: 'POST',
    headers: owner.headers,
    body: { url, events: ['response.submitted'] },
  });
  if (answer.status !== 201) throw new Error(`subscribe: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** `count` submissions to A's form, PARALLEL at a time, each tried again if it fails; answers the seconds it took. */
async function submissions(app, a, count) {
  const started = Date.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      for (let attempt = 1; ; attempt += 1) {
        const answer = await submit(app, a.tenant, a.formId, `visitor${index}@example.com`).catch((error) => ({
          status: 0,
          body: error.message,
        }));
        if (answer.status === 201) break;
        if (attempt === 5) throw new Error(`submission ${index}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return (Date.now() - started) / 1000;
}

/**
 * A's backlog: BACKLOG response notifications and BACKLOG webhook deliveries, queued by the app's own
 * producers (EmailJobsService.notifyResponse, which the `response.submitted` listener calls, and
 * WebhookJobsService.retry) in a Nest context of the built app on the same stores, naming A's real
 * responses and events in turn. Submitting 10,000 times through the API takes longer than this
 * machine gives a benchmark; the jobs are the same.
 */
async function queueBacklog(app, a, database) {
  const started = Date.now();
  process.env.QUEUE_PREFIX = app.settings.QUEUE_PREFIX;
  process.env.REDIS_URL = app.settings.REDIS_URL;
  const { EmailJobsService } = await import('../dist/modules/notifications/email-jobs.service.js');
  const { NotificationsModule } = await import('../dist/modules/notifications/notifications.module.js');
  const { WebhookJobsService } = await import('../dist/modules/webhooks/webhook-jobs.service.js');
  const { WebhooksModule } = await import('../dist/modules/webhooks/webhooks.module.js');
  class Producers {}
  Module({ imports: [NotificationsModule, WebhooksModule] })(Producers);
  const context = await benchContext(database, Producers);
  try {
    const connection = await mongoose.createConnection(benchDatabaseUrl(database)).asPromise();
    const events = await connection
      .collection('events')
      .find({ tenant_id: a.tenant, event_type: 'response.submitted' })
      .toArray();
    const [webhook] = await connection.collection('webhooks').find({ tenant_id: a.tenant }).toArray();
    await connection.close();
    const emails = context.get(EmailJobsService, { strict: false });
    const webhooks = context.get(WebhookJobsService, { strict: false });
    for (let start = 0; start < BACKLOG; start += 100) {
      const batch = Array.from({ length: Math.min(100, BACKLOG - start) }, (_, offset) => start + offset);
      await Promise.all(
        batch.map((index) => {
          const event = events[index % events.length];
          // A distinct event id per job: the fan-out names its emails after it.
          return emails.notifyResponse(`bench-${index}.notify`, {
            tenant_id: a.tenant,
            event_id: `bench-${index}`,
            form_id: event.payload.form_id,
            response_id: event.payload.response_id,
          });
        }),
      );
      await webhooks.retry(
        a.tenant,
        webhook._id.toHexString(),
        batch.map((index) => ({ event_id: events[index % events.length]._id, attempts: 1000 + index })),
      );
    }
  } finally {
    await context.close();
  }
  return (Date.now() - started) / 1000;
}

/** When the first message to `to` with a subject starting `subject` arrived (polled), or null. */
function watchMail(smtp, to, subject, arrivals) {
  const found = smtp.messages.find((message) => message.to.includes(to) && message.subject.startsWith(subject));
  if (found && !arrivals.has(found)) arrivals.set(found, Date.now());
  return found ? arrivals.get(found) : null;
}

async function oneRun(run, smtp, slow, fast) {
  const database = `fairness_${run}`;
  const stores = { mongoUrl: benchDatabaseUrl(database), redisUrl: process.env.REDIS_URL };
  const app = await startApp(stores, smtp.url, {
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  const settings = { max_responses_per_form: 100_000_000, features: { webhooks: true } };
  const extra = [];
  try {
    const a = await tenantWithOwner(app, settings);
    a.formId = await publishedForm(app, a);
    await subscribe(app, a, slow.url);
    const probes = [];
    for (let index = 0; index < PROBES; index += 1) {
      const b = await tenantWithOwner(app, settings);
      b.formId = await publishedForm(app, b);
      await subscribe(app, b, fast.url);
      probes.push(b);
    }
    await sleep(2000); // the set-up's own emails (none expected beyond invitations) go first
    await app.worker.stop();
    const submitSeconds = await submissions(app, a, SUBMISSIONS);
    const queueSeconds = await queueBacklog(app, a, database);
    process.stderr.write(
      `[fairness] run ${run}: ${SUBMISSIONS} submissions of A in ${submitSeconds.toFixed(0)} s, ${BACKLOG} notifications and deliveries queued in ${queueSeconds.toFixed(0)} s\n`,
    );

    const workersStarted = Date.now();
    await app.worker.start();
    for (let index = 1; index < WORKERS; index += 1) extra.push(await extraWorker(app, index));
    await sleep(Math.max(0, workersStarted + 3000 - Date.now())); // A's backlog is draining
    const metricsPorts = [app.worker.port, ...extra.map((worker) => worker.port)];
    const throughput = (async () => {
      const before = await jobsRun(metricsPorts);
      await sleep(THROUGHPUT_S * 1000);
      return ((await jobsRun(metricsPorts)) - before) / THROUGHPUT_S;
    })();

    const seen = new Map();
    const outcomes = await Promise.all(
      probes.map(async (b, index) => {
        await sleep(index * PROBE_EVERY_MS);
        const asked = Date.now();
        await call(app.base, '/api/v1/auth/password-reset', {
          method: 'POST',
          headers: { 'x-tenant-id': b.tenant },
          body: { email: b.email },
        });
        const answer = await submit(app, b.tenant, b.formId, `probe${index}@example.com`);
        const responseId = answer.body.response_id;
        const times = { reset: null, notification: null, webhook: null };
        while (Date.now() - asked < WAIT_S * 1000 && Object.values(times).some((t) => t === null)) {
          times.reset ??= watchMail(smtp, b.email, 'Reset your password', seen);
          times.notification ??= watchMail(smtp, b.email, 'New response', seen);
          times.webhook ??= fast.arrivals.find((hook) => hook.body.includes(responseId))?.at ?? null;
          await sleep(50);
        }
        const delay = (at) => (at === null ? { seconds: WAIT_S, waited: true } : { seconds: (at - asked) / 1000 });
        return { reset: delay(times.reset), notification: delay(times.notification), webhook: delay(times.webhook) };
      }),
    );
    const aRate = await throughput;
    process.stderr.write(`[fairness] run ${run}: ${JSON.stringify(outcomes)}; ${aRate.toFixed(1)} jobs/s\n`);
    return { submitSeconds, outcomes, aRate };
  } finally {
    for (const worker of extra) await worker.stop();
    await app.stop();
    for (const name of ['email', 'webhook', 'export', 'housekeeping', 'erasure', 'diagnostics']) {
      const queue = new Queue(name, { connection: { url: stores.redisUrl }, prefix: app.settings.QUEUE_PREFIX });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    const connection = await mongoose.createConnection(stores.mongoUrl).asPromise();
    await connection.dropDatabase();
    await connection.close();
  }
}

const smtp = await startSmtpSink();
const slow = await receiver(true);
const fast = await receiver(false);
const runs = [];
try {
  for (let run = 1; run <= RUNS; run += 1) runs.push(await oneRun(run, smtp, slow, fast));
} finally {
  await Promise.all([smtp.stop(), slow.stop(), fast.stop()]);
}

const samples = (key) => runs.flatMap((run) => run.outcomes.map((outcome) => outcome[key]));
function quantile(list, q) {
  const sorted = [...list].sort((x, y) => x.seconds - y.seconds);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const shown = (sample) => `${sample.waited ? '>' : ''}${sample.seconds.toFixed(1)}`;
const row = (label, list) =>
  `| ${label} | ${list.length} | ${shown(quantile(list, 0.5))} | ${shown(quantile(list, 0.99))} |`;
const emails = [...samples('reset'), ...samples('notification')];
const slowest = quantile(emails, 0.99);
const aRates = runs.map((run) => run.aRate);
const lines = [
  `tenant A: ${SUBMISSIONS} submissions, then ${BACKLOG} response notifications (each an email to its owner) and ${BACKLOG} deliveries to A's webhook, whose receiver answers 503 after ${SLOW_MS} ms, queued by the app's producers; ${WORKERS} worker processes; ${RUNS} runs x ${PROBES} other tenants, ${PROBE_EVERY_MS / 1000} s apart from 3 s after the workers start`,
  '',
  "| other tenant's job, seconds from request to arrival | samples | p50 | p99 |",
  '|---|---|---|---|',
  row('password reset email', samples('reset')),
  row('response notification email', samples('notification')),
  row('either email', emails),
  row('webhook delivery (fast receiver)', samples('webhook')),
  '',
  `email and webhook jobs run per second (nearly all A's), over ${THROUGHPUT_S} s from the first probe, per run: ${aRates.map((rate) => rate.toFixed(1)).join(', ')}`,
  `> marks a probe still waiting after ${WAIT_S} s (counted as ${WAIT_S} s); goal: every email of the other tenant within ${GOAL_S} s`,
  `fairness: ${shown(slowest)}`,
];
console.log(lines.join('\n'));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/fairness.json',
  `${JSON.stringify({ backlog: BACKLOG, workers: WORKERS, slow_ms: SLOW_MS, wait_s: WAIT_S, runs }, null, 2)}\n`,
);
