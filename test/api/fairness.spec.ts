import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { QueueName } from '../../src/infrastructure/queue/queue-names.js';
import { SharedRedis } from '../../src/infrastructure/redis/shared-redis.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startWorker } from '../support/worker-fixture.js';

const BACKLOG = 20;

describe('fairness between tenants in the email queue', () => {
  let smtp: SmtpSink;
  let receiver: WebhookReceiver;
  let api: E2eApp;
  let queuePrefix: string;
  let busy: SignedInUser;
  let quiet: SignedInUser;
  let busyForm: string;
  let quietForm: string;

  const arrivals = () => smtp.messages as ReceivedMail[];
  const notificationsTo = (user: SignedInUser) =>
    arrivals().filter((mail) => mail.to.includes(user.email) && mail.subject.startsWith('New response'));
  const submit = (tenant: string, formId: string, email: string) =>
    api.http.post(`/api/v1/forms/${formId}/submit`).set('x-tenant-id', tenant).send({ data: { email } }).expect(201);
  const fairnessCounters = () => api.app.get(SharedRedis).client.keys(`${queuePrefix}:fair:*`);

  /** The busy tenant's backlog of `BACKLOG` responses, each notifying its owner, queued while no worker runs. */
  const backlog = async () => {
    for (let index = 0; index < BACKLOG; index += 1) await submit('busy', busyForm, `visitor${index}@example.com`);
  };

  /** A worker serving one job at a time until the email queue is empty and `then` holds. */
  const drainWith = async (then: () => boolean) => {
    const worker = await startWorker();
    const queue = api.app.get<Queue>(getQueueToken(QueueName.Email));
    try {
      const drained = await eventually(
        async () => {
          const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
          return Object.values(counts).every((count) => count === 0) && then();
        },
        (done) => done,
        60_000,
      );
      expect(drained).toBe(true);
    } finally {
      await worker.stop();
    }
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    receiver = await startWebhookReceiver();
    ({ queuePrefix } = useTestEnvironment('fairness', {
      LOG_LEVEL: 'error',
      SMTP_URL: smtp.url,
      QUEUE_CONCURRENCY: '1',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_ATTEMPTS: '1',
    }));
    api = await createE2eApp();
    await createTenant(api, 'busy');
    await createTenant(api, 'quiet');
    busy = await addMember(api, 'busy');
    quiet = await addMember(api, 'quiet');
    busyForm = await createForm(api, busy, { settings: { send_notification: true } });
    quietForm = await createForm(api, quiet, { settings: { send_notification: true } });
    // The welcome emails of both owners, out of the way.
    await drainWith(() => arrivals().length >= 2);
    smtp.messages.length = 0;
  });

  afterAll(async () => {
    await api.close();
    await smtp.stop();
    await receiver.stop();
  });

  it("sends another tenant's password reset before any of a tenant's queued notifications", async () => {
    await backlog();
    await api.http
      .post('/api/v1/auth/password-reset')
      .set('x-tenant-id', 'quiet')
      .send({ email: quiet.email })
      .expect(202);
    const queue = api.app.get<Queue>(getQueueToken(QueueName.Email));
    // The reset has no priority (BullMQ's wait list, taken first); the backlog is ranked (one
    // notification per response: the form has no autoresponse, so no job for one).
    expect(await queue.getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 1, prioritized: BACKLOG });

    await drainWith(() => notificationsTo(busy).length >= BACKLOG);
    expect(arrivals()[0]).toMatchObject({ to: [quiet.email], subject: 'Reset your password' });
  });

  it("delivers another tenant's notification while a tenant's backlog is still draining", async () => {
    smtp.messages.length = 0;
    await backlog();
    await submit('quiet', quietForm, 'newcomer@example.com');

    await drainWith(() => notificationsTo(busy).length >= BACKLOG && notificationsTo(quiet).length >= 1);
    const notifications = arrivals().filter((mail) => mail.subject.startsWith('New response'));
    const busyBeforeQuiet = notifications.findIndex((mail) => mail.to.includes(quiet.email));
    // First in, first out, the newcomer's email came after all 20 of the busy tenant's: now it overtakes them.
    expect(busyBeforeQuiet).toBeLessThan(3);
    expect(notificationsTo(busy)).toHaveLength(BACKLOG);
    expect(notificationsTo(quiet)).toHaveLength(1);
  });

  it("gives each tenant's rank back as its jobs end: a drained queue leaves no counter in Redis", async () => {
    smtp.messages.length = 0;
    await eventually(fairnessCounters, (keys) => keys.length === 0);
    await backlog();
    expect(await fairnessCounters()).toEqual([`${queuePrefix}:fair:email:busy`]);
    expect(await api.app.get(SharedRedis).client.get(`${queuePrefix}:fair:email:busy`)).toBe(String(BACKLOG));

    await drainWith(() => notificationsTo(busy).length >= BACKLOG);
    expect(await eventually(fairnessCounters, (keys) => keys.length === 0)).toEqual([]);
  });

  it("delivers another tenant's webhook while a tenant's failing, slow deliveries are still queued", async () => {
    const subscribed = async (tenant: string) => {
      await createTenant(api, tenant, { features: { webhooks: true } });
      const owner = await addMember(api, tenant);
      await api.http
        .post('/api/v1/webhooks')
        .set(owner.headers)
        .send({ url: receiver.url(`/${tenant}`), events: ['response.submitted'] })
        .expect(201);
      return createForm(api, owner);
    };
    const loudForm = await subscribed('loud');
    const calmForm = await subscribed('calm');
    receiver.hold('/loud', 200);
    receiver.answer('/loud', ...Array.from({ length: 10 }, () => 503));
    for (let index = 0; index < 10; index += 1) await submit('loud', loudForm, `visitor${index}@example.com`);
    await submit('calm', calmForm, 'newcomer@example.com');

    const webhooks = api.app.get<Queue>(getQueueToken(QueueName.Webhook));
    const worker = await startWorker();
    try {
      const drained = await eventually(
        async () => Object.values(await webhooks.getJobCounts('prioritized', 'waiting', 'active', 'delayed')),
        (counts) => counts.every((count) => count === 0),
        60_000,
      );
      expect(drained.every((count) => count === 0)).toBe(true);
    } finally {
      await worker.stop();
    }
    const paths = receiver.received.map((hook) => hook.path).filter((path) => path === '/loud' || path === '/calm');
    // First in, first out, it came after all 10 of the loud tenant's attempts.
    expect(paths.indexOf('/calm')).toBeLessThan(3);
    expect(paths.filter((path) => path === '/loud')).toHaveLength(10);
  });
});
