import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection, Types } from 'mongoose';
import { freePort } from '../../harness/ports.js';
import { createForm, createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { documentedVerifier, officiallyVerified } from '../support/webhook-verifier.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

describe('webhooks', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let receiver: WebhookReceiver;
  let owner: SignedInUser;
  let formId: string;
  let workerMetricsPort: number;

  const subscribe = async (path: string, events = ['response.submitted']) => {
    const created = await api.http
      .post('/api/v1/webhooks')
      .set(owner.headers)
      .send({ url: receiver.url(path), events })
      .expect(201);
    return created.body as { webhook_id: string; secret: string };
  };
  const submit = async () =>
    (
      await api.http
        .post(`/api/v1/forms/${formId}/submit`)
        .set('x-tenant-id', 'acme')
        .send({ data: { email: 'visitor@example.com' } })
        .expect(201)
    ).body.response_id as string;
  const deliveries = async (webhookId: string) =>
    (await api.http.get(`/api/v1/webhooks/${webhookId}/deliveries`).set(owner.headers).expect(200)).body.data as {
      event_id: string;
      status: string;
      attempts: number;
      response_status: number | null;
    }[];
  const settled = (webhookId: string, count = 1) =>
    eventually(
      () => deliveries(webhookId),
      (list) => list.length >= count && list.every((delivery) => delivery.status !== 'pending'),
    );

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    workerMetricsPort = await freePort();
    useTestEnvironment('webhooks', {
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_ATTEMPTS: '3',
      WORKER_METRICS_PORT: String(workerMetricsPort),
      HOST: '127.0.0.1',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme', { features: { webhooks: true } });
    await createTenant(api, 'plain');
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner, { title: 'Hooked' });
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await receiver.stop();
  });

  it('answers 403 feature_disabled when the tenant has no webhooks feature', async () => {
    const plainOwner = await addMember(api, 'plain');
    for (const request of [
      api.http.get('/api/v1/webhooks').set(plainOwner.headers),
      api.http
        .post('/api/v1/webhooks')
        .set(plainOwner.headers)
        .send({ url: receiver.url('/x'), events: ['form.created'] }),
    ]) {
      const refused = await request;
      expect([refused.status, refused.body.error]).toEqual([403, 'feature_disabled']);
    }
  });

  it('refuses bad subscriptions', async () => {
    const bad = await api.http
      .post('/api/v1/webhooks')
      .set(owner.headers)
      .send({ url: 'ftp://example.com/hook', events: ['response.shredded'] });
    expect(bad.status).toBe(400);
    const fields = bad.body.details.map((detail: { field: string }) => detail.field);
    expect(fields).toContain('events');
    const badUrl = await api.http
      .post('/api/v1/webhooks')
      .set(owner.headers)
      .send({ url: 'ftp://example.com/hook', events: ['response.submitted'] });
    expect(badUrl.body.details).toEqual([
      { field: 'url', message: 'url must be an http(s) URL of a public host, without credentials' },
    ]);
  });

  it('delivers the envelope signed per Standard Webhooks (and the older way), and logs the delivery', async () => {
    const webhook = await subscribe('/ok');
    expect(webhook).toMatchObject({ url: receiver.url('/ok'), events: ['response.submitted'], enabled: true });
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(webhook.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const responseId = await submit();
    const [delivery] = await settled(webhook.webhook_id);
    const hook = receiver.received.find((received) => received.path === '/ok');
    expect(hook).toBeDefined();
    const { headers, body } = hook!;
    const envelope = JSON.parse(body);
    expect(envelope).toMatchObject({ event_type: 'response.submitted', tenant_id: 'acme', entity_id: responseId });
    expect(headers['webhook-id']).toBe(envelope.event_id);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    // The official verifier, and the docs/api.md snippet built on it.
    expect(officiallyVerified(webhook.secret, hook!)).toBe(true);
    const verifyWebhook = await documentedVerifier();
    expect(verifyWebhook(webhook.secret, headers, body)).toEqual(envelope);
    expect(verifyWebhook(webhook.secret, headers, Buffer.from(body))).toEqual(envelope);
    expect(() => verifyWebhook(webhook.secret, headers, body.replace('visitor@', 'intruder@'))).toThrow(
      'No matching signature found',
    );
    expect(officiallyVerified(webhook.secret, { headers, body: body.replace('visitor@', 'intruder@') })).toBe(false);
    const wrongSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(() => verifyWebhook(wrongSecret, headers, body)).toThrow('No matching signature found');
    expect(officiallyVerified(wrongSecret, hook!)).toBe(false);
    // Replayed 10 minutes later, or arriving from 10 minutes ahead: outside the 5-minute tolerance.
    for (const skewMs of [600_000, -600_000]) {
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now + skewMs);
      try {
        expect(() => verifyWebhook(webhook.secret, headers, body)).toThrow(/Message timestamp too (old|new)/);
        expect(officiallyVerified(webhook.secret, hook!)).toBe(false);
      } finally {
        clock.mockRestore();
      }
    }
    // The older headers, for receivers made before: keyed by the whole secret string.
    const expected = createHmac('sha256', webhook.secret)
      .update(`${headers['x-webhook-timestamp']}.${body}`)
      .digest('hex');
    expect(headers['x-webhook-signature']).toBe(`sha256=${expected}`);
    expect(headers['x-webhook-id']).toBe(envelope.event_id);
    expect(headers['x-webhook-timestamp']).toBe(headers['webhook-timestamp']);
    expect(delivery).toMatchObject({
      event_id: envelope.event_id,
      status: 'succeeded',
      attempts: 1,
      response_status: 200,
    });
    await api.http.delete(`/api/v1/webhooks/${webhook.webhook_id}`).set(owner.headers).expect(204);
  });

  it('retries a failing receiver with backoff until it succeeds', async () => {
    receiver.answer('/flaky', 500, 503);
    const webhook = await subscribe('/flaky');
    await submit();
    const [delivery] = await settled(webhook.webhook_id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, response_status: 200 });
    const attempts = receiver.received.filter((received) => received.path === '/flaky');
    expect(attempts).toHaveLength(3);
    // One event: the same webhook-id on every attempt, each attempt freshly signed and verifiable.
    expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id'])).size).toBe(1);
    expect(attempts.every((attempt) => officiallyVerified(webhook.secret, attempt))).toBe(true);
    await api.http.delete(`/api/v1/webhooks/${webhook.webhook_id}`).set(owner.headers).expect(204);
  });

  it('marks a delivery failed after its attempts, and re-queues it on request', async () => {
    receiver.answer('/down', 500, 500, 500);
    const webhook = await subscribe('/down');
    await submit();
    const [failed] = await settled(webhook.webhook_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, response_status: 500 });
    await api.http
      .post(`/api/v1/webhooks/${webhook.webhook_id}/deliveries/${failed.event_id}/retry`)
      .set(owner.headers)
      .expect(202);
    const [retried] = await settled(webhook.webhook_id);
    expect(retried).toMatchObject({ status: 'succeeded', attempts: 4, response_status: 200 });
    const unknown = await api.http
      .post(`/api/v1/webhooks/${webhook.webhook_id}/deliveries/no-such-event/retry`)
      .set(owner.headers);
    expect(unknown.status).toBe(404);
    await api.http.delete(`/api/v1/webhooks/${webhook.webhook_id}`).set(owner.headers).expect(204);
  });

  it('disables a subscription whose receiver answers 410', async () => {
    receiver.answer('/gone', 410);
    const webhook = await subscribe('/gone');
    await submit();
    const [delivery] = await settled(webhook.webhook_id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, response_status: 410 });
    const list = await api.http.get('/api/v1/webhooks').set(owner.headers).expect(200);
    expect(list.body.data.find((hook: { webhook_id: string }) => hook.webhook_id === webhook.webhook_id)).toMatchObject(
      {
        enabled: false,
        disabled_reason: 'gone',
      },
    );
    await submit();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.filter((received) => received.path === '/gone')).toHaveLength(1);
  });

  it('reaches a webhook created or disabled on this replica at once, and one changed elsewhere within 2 s', async () => {
    const receivedAt = (path: string) => receiver.received.filter((received) => received.path === path);
    const eventOf = (path: string) => receivedAt(path).map((received) => JSON.parse(received.body).entity_id);
    // Reads the tenant's subscriptions into this replica's cache, without the webhook made next.
    await submit();
    const webhook = await subscribe('/fresh');
    const first = await submit();
    expect(
      await eventually(
        async () => eventOf('/fresh'),
        (ids) => ids.length === 1,
      ),
    ).toEqual([first]);

    // Disabled through the API: the very next event is not delivered, only recorded as not sent.
    await api.http
      .patch(`/api/v1/webhooks/${webhook.webhook_id}`)
      .set(owner.headers)
      .send({ enabled: false })
      .expect(200);
    await submit();
    const notSent = await settled(webhook.webhook_id, 2);
    expect(notSent.map((delivery) => delivery.status).sort()).toEqual(['failed', 'succeeded']);

    // Enabled again by another process (a write this replica did not make): seen within the cache's 2 s.
    const connection = api.app.get<Connection>(getConnectionToken());
    await connection
      .collection('webhooks')
      .updateOne({ _id: new Types.ObjectId(webhook.webhook_id) }, { $set: { active: true, disabled_reason: null } });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const third = await submit();
    expect(
      await eventually(
        async () => eventOf('/fresh'),
        (ids) => ids.length === 2,
      ),
    ).toEqual([first, third]);
    await api.http.delete(`/api/v1/webhooks/${webhook.webhook_id}`).set(owner.headers).expect(204);
  });

  it('answers 404 for unknown or deleted subscriptions', async () => {
    const webhook = await subscribe('/short-lived');
    await api.http.delete(`/api/v1/webhooks/${webhook.webhook_id}`).set(owner.headers).expect(204);
    const again = await api.http.delete(`/api/v1/webhooks/${webhook.webhook_id}`).set(owner.headers);
    expect([again.status, again.body.error]).toEqual([404, 'not_found']);
    await api.http.get('/api/v1/webhooks/not-an-id/deliveries').set(owner.headers).expect(404);
  });

  it('exposes job, queue, outbox and HTTP metrics to Prometheus (API and worker)', async () => {
    const workerMetrics = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
    expect(workerMetrics).toMatch(/queue_job_duration_seconds_count\{queue="webhook",outcome="completed"\} [1-9]/);
    expect(workerMetrics).toMatch(/queue_job_failures_total\{queue="webhook"\} [1-9]/);
    const apiMetrics = await api.http.get('/metrics').expect(200);
    expect(apiMetrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(apiMetrics.text).toMatch(/queue_jobs\{queue="webhook",state="failed"\} \d+/);
    expect(apiMetrics.text).toMatch(/queue_oldest_waiting_seconds\{queue="webhook"\} [\d.]+/);
    expect(apiMetrics.text).toMatch(/events_undelivered \d+/);
    expect(apiMetrics.text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/forms\/:form_id\/submit",status="201"\} [1-9]/,
    );
  });
});
