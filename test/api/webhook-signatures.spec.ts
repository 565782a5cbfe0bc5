import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { documentedPythonVerifier } from '../../harness/webhook-verifiers.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { type ReceivedHook, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { documentedVerifier, officiallyVerified } from '../support/webhook-verifier.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

/** Secrets, their rotation and the test ping, checked with the official Standard Webhooks verifier. */
describe('webhook signatures', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let receiver: WebhookReceiver;
  let owner: SignedInUser;
  let formId: string;

  const db = () => {
    const database = api.app.get<Connection>(getConnectionToken()).db;
    if (!database) throw new Error('not connected');
    return database;
  };
  const subscribe = async (path: string) =>
    (
      await api.http
        .post('/api/v1/webhooks')
        .set(owner.headers)
        .send({ url: receiver.url(path), events: ['response.submitted'] })
        .expect(201)
    ).body as { webhook_id: string; secret: string };
  const rotate = async (webhookId: string) =>
    (await api.http.post(`/api/v1/webhooks/${webhookId}/rotate-secret`).set(owner.headers).expect(200)).body as {
      secret: string;
    };
  const ping = async (webhookId: string) =>
    (await api.http.post(`/api/v1/webhooks/${webhookId}/test`).set(owner.headers).expect(202)).body as {
      event_id: string;
    };
  const submit = () =>
    api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'sig')
      .send({ data: { email: 'visitor@example.com' } })
      .expect(201);
  /** The delivery of `eventId` (its webhook-id) once it reached `path`. */
  const arrival = (path: string, eventId: string) =>
    eventually(
      async () => receiver.received.find((hook) => hook.path === path && hook.headers['webhook-id'] === eventId),
      (hook): hook is ReceivedHook => hook !== undefined,
    ) as Promise<ReceivedHook>;
  const nextArrival = async (path: string, before: number) =>
    (await eventually(
      async () => receiver.received.filter((hook) => hook.path === path)[before],
      (hook) => hook !== undefined,
    )) as ReceivedHook;
  const count = (path: string) => receiver.received.filter((hook) => hook.path === path).length;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    useTestEnvironment('webhook-signatures', {
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_ATTEMPTS: '2',
      HOST: '127.0.0.1',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'sig', { features: { webhooks: true } });
    owner = await addMember(api, 'sig');
    formId = await createForm(api, owner, { title: 'Signed' });
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await receiver.stop();
  });

  it('signs with the new and the old secret after a rotation; a second rotation drops the first secret', async () => {
    const webhook = await subscribe('/rotated');
    const { secret: second } = await rotate(webhook.webhook_id);
    expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(second).not.toBe(webhook.secret);

    await submit();
    const during = await nextArrival('/rotated', 0);
    const signatures = String(during.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((signature) => /^v1,[A-Za-z0-9+/]{43}=$/.test(signature))).toBe(true);
    // Either secret verifies, with the official library and with the documented snippet.
    expect(officiallyVerified(webhook.secret, during)).toBe(true);
    expect(officiallyVerified(second, during)).toBe(true);
    const verifyWebhook = await documentedVerifier();
    expect(verifyWebhook(webhook.secret, during.headers, during.body)).toMatchObject({
      event_type: 'response.submitted',
    });
    expect(verifyWebhook(second, during.headers, during.body)).toMatchObject({ event_type: 'response.submitted' });
    // The Python snippet (official PyPI package) agrees, and refuses a tampered body and a wrong secret.
    const verifyInPython = documentedPythonVerifier();
    const verdicts = await verifyInPython([
      { secret: webhook.secret, headers: during.headers, body: during.body },
      { secret: second, headers: during.headers, body: during.body },
      { secret: second, headers: during.headers, body: during.body.replace('response.submitted', 'response.deleted') },
      { secret: `whsec_${randomBytes(32).toString('base64')}`, headers: during.headers, body: during.body },
    ]);
    expect(verdicts.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(verdicts.slice(2)).toEqual([
      expect.stringMatching(/^WebhookVerificationError/),
      expect.stringMatching(/^WebhookVerificationError/),
    ]);
    // The older header has one signature: the current secret's.
    expect(during.headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

    const { secret: third } = await rotate(webhook.webhook_id);
    await submit();
    const after = await nextArrival('/rotated', 1);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(officiallyVerified(third, after)).toBe(true);
    expect(officiallyVerified(second, after)).toBe(true);
    expect(officiallyVerified(webhook.secret, after)).toBe(false);

    const listed = await api.http.get('/api/v1/webhooks').set(owner.headers).expect(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/whsec_|secret/);
  });

  it('signs with the new secret alone once the 24 hours of the old one are over', async () => {
    const webhook = await subscribe('/expired');
    const { secret } = await rotate(webhook.webhook_id);
    const stored = await db()
      .collection('webhooks')
      .findOne({ _id: new Types.ObjectId(webhook.webhook_id) });
    const overlap = stored!.previous_secret_expires_at.getTime() - Date.now();
    expect(overlap).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3600_000);
    // A day later, as far as the stored rotation is concerned.
    await db()
      .collection('webhooks')
      .updateOne({ _id: stored!._id }, { $set: { previous_secret_expires_at: new Date(Date.now() - 1000) } });
    const { event_id } = await ping(webhook.webhook_id);
    const hook = await arrival('/expired', event_id);
    expect(String(hook.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(officiallyVerified(secret, hook)).toBe(true);
    expect(officiallyVerified(webhook.secret, hook)).toBe(false);
  });

  it('keeps the secret of a webhook made before whsec_ secrets, keyed by its UTF-8 bytes, until rotated', async () => {
    const legacySecret = randomBytes(32).toString('hex');
    const { insertedId } = await db()
      .collection('webhooks')
      .insertOne({
        tenant_id: 'sig',
        url: receiver.url('/legacy'),
        events: ['response.submitted'],
        secret: legacySecret,
        active: true,
        created_at: new Date(),
        updated_at: new Date(),
      });
    const webhookId = insertedId.toHexString();
    const first = await arrival('/legacy', (await ping(webhookId)).event_id);
    expect(officiallyVerified(legacySecret, first)).toBe(true);
    expect((await documentedVerifier())(legacySecret, first.headers, first.body)).toMatchObject({
      event_type: 'webhook.test',
    });

    const { secret } = await rotate(webhookId);
    expect(secret).toMatch(/^whsec_/);
    const second = await arrival('/legacy', (await ping(webhookId)).event_id);
    expect(officiallyVerified(secret, second)).toBe(true);
    expect(officiallyVerified(legacySecret, second)).toBe(true);
  });

  it('pings one webhook with a signed webhook.test event, even a disabled one, and keeps it out of the audit log', async () => {
    const pinged = await subscribe('/pinged');
    const bystander = await subscribe('/bystander');
    receiver.answer('/pinged', 410);
    const { event_id: first } = await ping(pinged.webhook_id);
    await arrival('/pinged', first);
    const disabled = await eventually(
      async () => (await api.http.get('/api/v1/webhooks').set(owner.headers).expect(200)).body.data,
      (list: { webhook_id: string; enabled: boolean }[]) =>
        list.some((hook) => hook.webhook_id === pinged.webhook_id && !hook.enabled),
    );
    expect(disabled.find((hook) => hook.webhook_id === pinged.webhook_id)).toMatchObject({
      enabled: false,
      disabled_reason: 'gone',
    });

    const { event_id } = await ping(pinged.webhook_id);
    const hook = await arrival('/pinged', event_id);
    expect(officiallyVerified(pinged.secret, hook)).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({
      event_id,
      event_type: 'webhook.test',
      tenant_id: 'sig',
      entity_id: pinged.webhook_id,
      user_id: owner.user_id,
      payload: { webhook_id: pinged.webhook_id },
    });
    const log = await eventually(
      async () =>
        (await api.http.get(`/api/v1/webhooks/${pinged.webhook_id}/deliveries`).set(owner.headers).expect(200)).body
          .data as { event_id: string; status: string }[],
      (list) => list.some((delivery) => delivery.event_id === event_id && delivery.status === 'succeeded'),
    );
    expect(log.find((delivery) => delivery.event_id === event_id)).toMatchObject({ status: 'succeeded' });

    expect(count('/bystander')).toBe(0);
    const audit = await api.http.get(`/api/v1/events?entity_id=${pinged.webhook_id}`).set(owner.headers).expect(200);
    expect(audit.body.data).toEqual([]);
    const stored = await db().collection('events').countDocuments({ event_type: 'webhook.test' });
    expect(stored).toBe(0);
    await api.http.get('/api/v1/events?type=webhook.test').set(owner.headers).expect(400);
    await api.http.delete(`/api/v1/webhooks/${bystander.webhook_id}`).set(owner.headers).expect(204);
  });

  it('answers 404 for an unknown webhook and 403 without the feature', async () => {
    const unknown = new Types.ObjectId().toHexString();
    for (const route of ['rotate-secret', 'test']) {
      const missing = await api.http.post(`/api/v1/webhooks/${unknown}/${route}`).set(owner.headers);
      expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
    }
    await createTenant(api, 'nohooks');
    const other = await addMember(api, 'nohooks');
    for (const route of ['rotate-secret', 'test']) {
      const refused = await api.http.post(`/api/v1/webhooks/${unknown}/${route}`).set(other.headers);
      expect([refused.status, refused.body.error]).toEqual([403, 'feature_disabled']);
    }
  });

  it('documents both routes in the OpenAPI document, with their answers', async () => {
    const { paths, components } = (await api.http.get('/docs-json').expect(200)).body;
    const rotateAnswer = paths['/api/v1/webhooks/{webhook_id}/rotate-secret'].post.responses['200'];
    const testAnswer = paths['/api/v1/webhooks/{webhook_id}/test'].post.responses['202'];
    expect(rotateAnswer.content['application/json'].schema.$ref).toBe('#/components/schemas/WebhookSecretDto');
    expect(testAnswer.content['application/json'].schema.$ref).toBe('#/components/schemas/WebhookTestDto');
    expect(Object.keys(components.schemas.WebhookSecretDto.properties)).toEqual(['secret']);
    expect(Object.keys(components.schemas.WebhookTestDto.properties)).toEqual(['event_id']);
  });
});
