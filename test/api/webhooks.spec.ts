import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../harness/ports.js';
import { createForm, createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
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

  it('delivers the signed envelope and logs the delivery', async () => {
    const webhook = await subscribe('/ok');
    expect(webhook).toMatchObject({ url: receiver.url('/ok'), events: ['response.submitted'], enabled: true });
    expect(webhook.secret).toMatch(/^[0-9a-f]{64}$/);
    const responseId = await submit();
    const [delivery] = await settled(webhook.webhook_id);
    const hook = receiver.received.find((received) => received.path === '/ok');
    expect(hook).toBeDefined();
    const { headers, body } = hook!;
    const expected = createHmac('sha256', webhook.secret)
      .update(`${headers['x-webhook-timestamp']}.${body}`)
      .digest('hex');
    expect(headers['x-webhook-signature']).toBe(`sha256=${expected}`);
    expect(Math.abs(Number(headers['x-webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    const envelope = JSON.parse(body);
    expect(envelope).toMatchObject({ event_type: 'response.submitted', tenant_id: 'acme', entity_id: responseId });
    expect(headers['x-webhook-id']).toBe(envelope.event_id);
    const verifyWebhook = await documentedVerifier();
    expect(verifyWebhook(webhook.secret, headers, body)).toBe(true);
    expect(verifyWebhook(webhook.secret, headers, Buffer.from(body))).toBe(true);
    expect(verifyWebhook(webhook.secret, headers, body.replace('visitor@', 'intruder@'))).toBe(false);
    expect(verifyWebhook('0'.repeat(64), headers, body)).toBe(false);
    expect(verifyWebhook(webhook.secret, headers, body, -1)).toBe(false);
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
    expect(receiver.received.filter((received) => received.path === '/flaky')).toHaveLength(3);
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

type WebhookVerifier = (
  secret: string,
  headers: Record<string, unknown>,
  rawBody: string | Buffer,
  toleranceSeconds?: number,
) => boolean;

/** The signature check docs/api.md gives receivers, run as written (the block after its marker). */
async function documentedVerifier(): Promise<WebhookVerifier> {
  const guide = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const snippet = /<!-- verify-webhook[^>]*-->\s*```js\n([\s\S]*?)\n```/.exec(guide)?.[1];
  expect(snippet).toBeDefined();
  const file = join(await mkdtemp(join(tmpdir(), 'verify-webhook-')), 'verify-webhook.mjs');
  await writeFile(file, snippet!);
  return ((await import(pathToFileURL(file).href)) as { verifyWebhook: WebhookVerifier }).verifyWebhook;
}
