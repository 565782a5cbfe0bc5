import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import { type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { type RunningRedis, startRedisServer } from '../../harness/stores.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { EventType } from '../../src/modules/events/event.types.js';
import { EventsRepository } from '../../src/modules/events/events.repository.js';
import { createForm, createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const TEAM = 'team@delivery.test';

describe('event delivery survives Redis outages and crashes', () => {
  let redis: RunningRedis;
  let smtp: SmtpSink;
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;
  let formId: string;

  const notifications = () =>
    smtp.messages.filter((mail) => mail.to.includes(TEAM) && mail.subject.startsWith('New response'));
  const events = () => api.app.get(EventsRepository);
  const submit = () =>
    api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'acme')
      .send({ data: { email: 'visitor@example.com' } });
  /** A web page's plain HTML form post (no JavaScript): answered with a 303 to the thank-you page. */
  const postFromPage = () =>
    api.http
      .post(`/api/v1/forms/${formId}/submit?tenant=acme`)
      .set('accept', 'text/html,*/*;q=0.8')
      .type('form')
      .send('email=visitor%40example.com');

  beforeAll(async () => {
    redis = await startRedisServer();
    smtp = await startSmtpSink();
    useTestEnvironment('event-delivery', {
      LOG_LEVEL: 'silent',
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      QUEUE_BACKOFF_MS: '100',
      EVENT_RETRY_MS: '200',
      EVENT_RELAY_INTERVAL_MS: '200',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme');
    owner = await addMember(api, 'acme');
    await addMember(api, 'acme', TEAM, 'viewer');
    formId = await createForm(api, owner, {
      title: 'Delivery',
      settings: { send_notification: true, notification_emails: [TEAM] },
    });
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await redis.stop();
    await smtp.stop();
  });

  it('answers 50 submissions normally while Redis is down (JSON and web-page posts), then delivers 50 notifications, none twice', async () => {
    await redis.stop();
    const timings: number[] = [];
    const ids: string[] = [];
    for (let index = 0; index < 50; index += 1) {
      const started = Date.now();
      if (index % 2 === 0) {
        const answer = await submit();
        expect(answer.status).toBe(201);
        ids.push(answer.body.response_id);
      } else {
        const answer = await postFromPage();
        expect(answer.status).toBe(303);
        expect(answer.headers.location).toBe(`/api/v1/forms/${formId}/thanks?tenant=acme`);
      }
      timings.push(Date.now() - started);
    }
    expect(Math.max(...timings)).toBeLessThan(1_000);
    expect(notifications()).toHaveLength(0);

    redis = await startRedisServer(redis.port);
    const delivered = await eventually(
      async () => notifications(),
      (mails) => mails.length >= 50,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(notifications()).toHaveLength(50);
    const mentioned = new Set(delivered.map((mail) => /\(([0-9a-f]{24})\)/.exec(mail.text)?.[1]));
    expect(mentioned.size).toBe(50);
    for (const id of ids) expect(mentioned.has(id)).toBe(true);
  }, 60_000);

  it('discards an envelope whose write never happened (a crash between the two)', async () => {
    const neverWritten = new Types.ObjectId().toHexString();
    await TenantContext.runForTenant('acme', () =>
      events().record(
        {
          event_id: randomUUID(),
          event_type: EventType.ResponseSubmitted,
          timestamp: new Date().toISOString(),
          tenant_id: 'acme',
          user_id: null,
          entity_id: neverWritten,
          payload: {
            response_id: neverWritten,
            form_id: new Types.ObjectId().toHexString(),
            form_version: 1,
            data: {},
          },
          metadata: { source: 'api' },
        },
        new Date(),
      ),
    );
    await worker.relayOnce();
    const trail = await TenantContext.runForTenant('acme', () => events().forEntity(neverWritten));
    expect(trail.map((event) => event.discarded)).toEqual([true]);
    expect(await TenantContext.runForTenant('acme', () => events().isPending(trail[0]._id))).toBe(false);
  });

  it('publishes an envelope whose write happened but whose publication was lost', async () => {
    const before = notifications().length;
    const submitted = await submit().expect(201);
    const responseId: string = submitted.body.response_id;
    await eventually(
      async () => notifications().length,
      (count) => count > before,
    );
    const lost = randomUUID();
    await TenantContext.runForTenant('acme', () =>
      events().record(
        {
          event_id: lost,
          event_type: EventType.ResponseSubmitted,
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          tenant_id: 'acme',
          user_id: null,
          entity_id: responseId,
          payload: { form_id: formId, response_id: responseId, data: { email: 'visitor@example.com' } },
          metadata: { source: 'api' },
        },
        new Date(),
      ),
    );
    await worker.relayOnce();
    const trail = await TenantContext.runForTenant('acme', () => events().forEntity(responseId));
    expect(trail.map((event) => (event._id === lost ? 'lost' : 'original'))).toEqual(['original', 'lost']);
    // The original's outbox entry goes a moment after its publication (removals are batched).
    const pending = await eventually(
      () => TenantContext.runForTenant('acme', () => Promise.all(trail.map((event) => events().isPending(event._id)))),
      (states) => states.every((state) => !state),
    );
    expect(pending).toEqual([false, false]);
    await eventually(
      async () => notifications().length,
      (count) => count === before + 2,
    );
  });
});
