import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { getModelToken } from '@nestjs/mongoose';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Model } from 'mongoose';
import { freePort } from '../../harness/ports.js';
import { type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { type RunningRedis, startRedisServer } from '../../harness/stores.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { OutboxEntry } from '../../src/modules/events/event.schema.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const TEAM = 'team@ops-metrics.test';

/**
 * The figures the plan sets (task failures under 1 %, Redis available 99.9 % of the time, events
 * delivered) as the API and the worker publish them in /metrics, for the alert rules in
 * deploy/prometheus/alerts.yml: each measured as the fault it reports happens.
 */
describe('operational metrics: Redis availability, task failures, outbox age', () => {
  let redis: RunningRedis;
  let smtp: SmtpSink;
  let api: E2eApp;
  let worker: TestWorker;
  let workerMetricsPort: number;
  let owner: SignedInUser;
  let formId: string;

  const apiMetrics = async () => (await api.http.get('/metrics').expect(200)).text;
  const workerMetrics = async () => (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
  /** The value of one series (name and labels exactly as exposed), or undefined when absent. */
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const finished = (text: string, queue: string, outcome: string) =>
    value(text, `queue_jobs_finished_total{queue="${queue}",outcome="${outcome}"}`);
  const submit = () =>
    api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'ops')
      .send({ data: { email: 'visitor@example.com' } })
      .expect(201);

  beforeAll(async () => {
    redis = await startRedisServer();
    smtp = await startSmtpSink();
    workerMetricsPort = await freePort();
    useTestEnvironment('operational-metrics', {
      LOG_LEVEL: 'silent',
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      QUEUE_BACKOFF_MS: '100',
      EVENT_RETRY_MS: '200',
      EVENT_RELAY_INTERVAL_MS: '200',
      WORKER_METRICS_PORT: String(workerMetricsPort),
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'ops');
    owner = await addMember(api, 'ops');
    await addMember(api, 'ops', TEAM, 'viewer');
    formId = await createForm(api, owner, {
      title: 'Ops',
      settings: { send_notification: true, notification_emails: [TEAM] },
    });
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await redis.stop();
    await smtp.stop();
  });

  it('counts each job once when it is done for good: a retried attempt is no task failure, a job out of attempts is', async () => {
    // The set-up's own emails (invitations) are sent first, so that only this test's jobs count below.
    const emails = worker.get<Queue>(getQueueToken('email'));
    const idle = await eventually(
      () => emails.getJobCounts('waiting', 'active', 'delayed'),
      (counts) => Object.values(counts).every((count) => count === 0),
    );
    expect(idle).toEqual({ waiting: 0, active: 0, delayed: 0 });
    // Every queue's series exist from the start, at 0 (a quiet queue reads 0, not "no data").
    const before = await workerMetrics();
    expect(finished(before, 'export', 'completed')).toBe(0);
    expect(finished(before, 'export', 'failed')).toBe(0);
    const completedBefore = finished(before, 'email', 'completed') ?? NaN;
    const failedBefore = finished(before, 'email', 'failed') ?? NaN;
    const attemptsFailedBefore = value(before, 'queue_job_failures_total{queue="email"}') ?? 0;

    // The SMTP server refuses the first try: the submission's email job is retried, and its two jobs
    // (the fan-out and the notification; the form has no autoresponse, so none for one) complete.
    smtp.failNext(1);
    await submit();
    const afterRetry = await eventually(
      workerMetrics,
      (text) => finished(text, 'email', 'completed') === completedBefore + 2,
    );
    expect(smtp.messages.filter((mail) => mail.subject.startsWith('New response'))).toHaveLength(1);
    expect(value(afterRetry, 'queue_job_failures_total{queue="email"}')).toBe(attemptsFailedBefore + 1);
    expect(finished(afterRetry, 'email', 'completed')).toBe(completedBefore + 2);
    expect(finished(afterRetry, 'email', 'failed')).toBe(failedBefore);

    // A job that cannot succeed (it names no tenant) fails at once, without retries: a task failure.
    await emails.add('notification', {} as never);
    const afterFailure = await eventually(
      workerMetrics,
      (text) => finished(text, 'email', 'failed') === failedBefore + 1,
    );
    expect(finished(afterFailure, 'email', 'failed')).toBe(failedBefore + 1);
    expect(finished(afterFailure, 'email', 'completed')).toBe(completedBefore + 2);
  }, 30_000);

  it('reads an outbox entry whose event is not written yet (the two writes race) as no age, not as an error', async () => {
    const outbox = api.app.get<Model<OutboxEntry>>(getModelToken(OutboxEntry.name));
    const _id = randomUUID();
    // Not due for an hour: the relay leaves it alone while the metrics read it.
    const relayAt = new Date(Date.now() + 3_600_000);
    await TenantContext.runForTenant('ops', () =>
      outbox.create({ _id, tenant_id: 'ops', next_attempt_at: relayAt, attempts: 0 }),
    );
    try {
      const text = await eventually(apiMetrics, (scraped) => value(scraped, 'events_undelivered') === 1);
      expect(value(text, 'events_undelivered')).toBe(1);
      expect(value(text, 'events_outbox_oldest_age_seconds')).toBe(0);
    } finally {
      await TenantContext.runForTenant('ops', () => outbox.deleteOne({ _id }));
    }
  });

  it('reads a Redis that does not answer within a second as down', async () => {
    // Redis holds every client's commands for 2.5 s (a hung server); the probe gives up after 1 s.
    const operator = new Redis(redis.url);
    try {
      await operator.call('CLIENT', 'PAUSE', '2500', 'ALL');
      expect(value(await apiMetrics(), 'redis_up')).toBe(0);
      await operator.call('CLIENT', 'UNPAUSE');
      expect(value(await apiMetrics(), 'redis_up')).toBe(1);
    } finally {
      operator.disconnect();
    }
  });

  it('reports redis_up 0 from the API and the worker while Redis is down, the age of the oldest undelivered event, and both back to normal once Redis returns', async () => {
    expect(value(await apiMetrics(), 'redis_up')).toBe(1);
    expect(value(await workerMetrics(), 'redis_up')).toBe(1);
    // The first test's events have left the outbox (removals linger a moment).
    const settled = await eventually(apiMetrics, (text) => value(text, 'events_outbox_oldest_age_seconds') === 0);
    expect(value(settled, 'events_undelivered')).toBe(0);

    await redis.stop();
    const stoppedAt = Date.now();
    const down = await apiMetrics();
    expect(value(down, 'redis_up')).toBe(0);
    expect(value(await workerMetrics(), 'redis_up')).toBe(0);
    // The scrape still answers, quickly, while Redis is gone.
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);

    // A submission while Redis is down: its event waits in the outbox, and its age grows.
    await submit();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const waiting = await apiMetrics();
    expect(value(waiting, 'events_undelivered')).toBeGreaterThanOrEqual(1);
    const age = value(waiting, 'events_outbox_oldest_age_seconds') ?? 0;
    expect(age).toBeGreaterThanOrEqual(1.4);
    expect(age).toBeLessThan((Date.now() - stoppedAt) / 1000 + 1);

    redis = await startRedisServer(redis.port);
    const recovered = await eventually(
      apiMetrics,
      (text) => value(text, 'redis_up') === 1 && value(text, 'events_outbox_oldest_age_seconds') === 0,
      20_000,
    );
    expect(value(recovered, 'events_undelivered')).toBe(0);
    expect(value(await eventually(workerMetrics, (text) => value(text, 'redis_up') === 1), 'redis_up')).toBe(1);
  }, 40_000);
});
