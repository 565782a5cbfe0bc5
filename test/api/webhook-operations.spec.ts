import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection, Types } from 'mongoose';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

interface Delivery {
  event_id: string;
  event_type: string | null;
  status: string;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
}

describe('operating webhooks: changes, form filters, deliveries, retries, disabling', () => {
  let smtp: SmtpSink;
  let api: E2eApp;
  let worker: TestWorker;
  let receiver: WebhookReceiver;
  let owner: SignedInUser;
  let coOwner: SignedInUser;
  let editor: SignedInUser;
  let stranger: SignedInUser;
  let formA: string;
  let formB: string;
  let strangersForm: string;

  const subscribe = async (path: string, extra: Record<string, unknown> = {}) =>
    (
      await api.http
        .post('/api/v1/webhooks')
        .set(owner.headers)
        .send({ url: receiver.url(path), events: ['response.submitted'], ...extra })
        .expect(201)
    ).body as { webhook_id: string; form_ids: string[] | null; enabled: boolean; disabled_reason: string | null };
  const submit = async (formId = formA) =>
    (
      await api.http
        .post(`/api/v1/forms/${formId}/submit`)
        .set('x-tenant-id', 'ops')
        .send({ data: { email: 'visitor@example.com' } })
        .expect(201)
    ).body.response_id as string;
  const page = async (webhookId: string, query = '') =>
    (await api.http.get(`/api/v1/webhooks/${webhookId}/deliveries${query}`).set(owner.headers).expect(200)).body as {
      data: Delivery[];
      next_cursor: string | null;
    };
  const settled = (webhookId: string, count = 1) =>
    eventually(
      async () => (await page(webhookId, '?limit=100')).data,
      (list) => list.length >= count && list.every((delivery) => delivery.status !== 'pending'),
    );
  const webhook = async (webhookId: string) =>
    (await api.http.get(`/api/v1/webhooks/${webhookId}`).set(owner.headers).expect(200)).body;
  const patch = (webhookId: string, body: object, user = owner) =>
    api.http.patch(`/api/v1/webhooks/${webhookId}`).set(user.headers).send(body);
  const received = (path: string) => receiver.received.filter((hook) => hook.path === path);
  const mailsAbout = (webhookId: string) =>
    (smtp.messages as ReceivedMail[]).filter((mail) => mail.text.includes(webhookId));
  const webhooks = () => api.app.get<Connection>(getConnectionToken()).collection('webhooks');

  beforeAll(async () => {
    smtp = await startSmtpSink();
    receiver = await startWebhookReceiver();
    useTestEnvironment('webhook-operations', {
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_ATTEMPTS: '2',
      QUEUE_BACKOFF_MS: '100',
      HOST: '127.0.0.1',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'ops', { features: { webhooks: true }, max_webhooks: 30 });
    await createTenant(api, 'elsewhere', { features: { webhooks: true } });
    owner = await addMember(api, 'ops');
    coOwner = await addMember(api, 'ops', 'co-owner@ops.test');
    editor = await addMember(api, 'ops', 'editor@ops.test', 'editor');
    stranger = await addMember(api, 'elsewhere');
    formA = await createForm(api, owner, { title: 'A' });
    formB = await createForm(api, owner, { title: 'B' });
    strangersForm = await createForm(api, stranger, { title: 'Theirs' });
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await receiver.stop();
    await smtp.stop();
  });

  it('answers a webhook with form_ids, enabled and disabled_reason, and checks form_ids on creation', async () => {
    const every = await subscribe('/every');
    expect(every).toMatchObject({ form_ids: null, enabled: true, disabled_reason: null });
    const some = await subscribe('/some', { form_ids: [formB] });
    expect(some.form_ids).toEqual([formB]);
    expect(await webhook(some.webhook_id)).toMatchObject({ form_ids: [formB], enabled: true });
    expect(await webhook(some.webhook_id)).not.toHaveProperty('secret');
    for (const form_ids of [[strangersForm], [new Types.ObjectId().toHexString()], ['not-an-id'], []]) {
      const refused = await api.http
        .post('/api/v1/webhooks')
        .set(owner.headers)
        .send({ url: receiver.url('/x'), events: ['response.submitted'], form_ids });
      expect([refused.status, refused.body.error, refused.body.details[0].field]).toEqual([
        400,
        'validation_failed',
        'form_ids',
      ]);
    }
  });

  it('changes a webhook with PATCH, checking the URL and the forms as on creation', async () => {
    const { webhook_id } = await subscribe('/patched');
    const changed = await patch(webhook_id, {
      url: receiver.url('/patched-2'),
      events: ['response.submitted', 'form.updated'],
      form_ids: [formA],
    }).expect(200);
    expect(changed.body).toMatchObject({
      webhook_id,
      url: receiver.url('/patched-2'),
      events: ['response.submitted', 'form.updated'],
      form_ids: [formA],
      enabled: true,
      disabled_reason: null,
    });
    expect(changed.body).not.toHaveProperty('secret');
    const internal = await patch(webhook_id, { url: 'http://user:secret@example.com/hook' });
    expect([internal.status, internal.body.details]).toEqual([
      400,
      [{ field: 'url', message: 'url must be an http(s) URL of a public host, without credentials' }],
    ]);
    for (const body of [{ form_ids: [strangersForm] }, { events: ['response.shredded'] }, { enabled: 'yes' }]) {
      expect((await patch(webhook_id, body)).status).toBe(400);
    }
    expect((await patch(webhook_id, { form_ids: null }).expect(200)).body.form_ids).toBeNull();
    const off = await patch(webhook_id, { enabled: false }).expect(200);
    expect(off.body).toMatchObject({ enabled: false, disabled_reason: null });
    expect((await patch(new Types.ObjectId().toHexString(), { enabled: true })).status).toBe(404);
  });

  it('delivers to a webhook with form_ids only the events of those forms', async () => {
    const filtered = await subscribe('/only-b', { form_ids: [formB] });
    const all = await subscribe('/all-forms');
    await submit(formA);
    await submit(formB);
    await settled(all.webhook_id, 2);
    const [delivery] = await settled(filtered.webhook_id);
    await sleep(300);
    expect((await page(filtered.webhook_id)).data).toHaveLength(1);
    expect(delivery.event_type).toBe('response.submitted');
    expect(received('/only-b').map((hook) => JSON.parse(hook.body).payload.form_id)).toEqual([formB]);
    expect(received('/all-forms')).toHaveLength(2);
  });

  it('lists deliveries newest first, by status, a page at a time, and retries one again', async () => {
    receiver.answer('/mixed', 500, 500);
    const { webhook_id } = await subscribe('/mixed');
    await submit();
    await settled(webhook_id);
    await submit();
    await settled(webhook_id, 2);
    await submit();
    await settled(webhook_id, 3);
    const failed = await page(webhook_id, '?status=failed');
    expect(failed.data).toHaveLength(1);
    expect(failed.data[0]).toMatchObject({
      event_type: 'response.submitted',
      status: 'failed',
      attempts: 2,
      response_status: 500,
      last_error: 'receiver answered 500',
    });
    const first = await page(webhook_id, '?status=succeeded&limit=1');
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await page(webhook_id, `?status=succeeded&limit=1&cursor=${first.next_cursor}`);
    expect([second.data.length, second.next_cursor]).toEqual([1, null]);
    expect(first.data[0].created_at >= second.data[0].created_at).toBe(true);
    expect(new Set([first.data[0].event_id, second.data[0].event_id]).size).toBe(2);
    for (const query of ['?status=lost', '?cursor=bogus', '?limit=0']) {
      const refused = await api.http.get(`/api/v1/webhooks/${webhook_id}/deliveries${query}`).set(owner.headers);
      expect([refused.status, refused.body.error]).toEqual([400, 'validation_failed']);
    }

    await api.http
      .post(`/api/v1/webhooks/${webhook_id}/deliveries/${failed.data[0].event_id}/retry`)
      .set(owner.headers)
      .expect(202);
    await eventually(
      async () => (await page(webhook_id, '?status=failed')).data,
      (list) => list.length === 0,
    );
    const retried = (await settled(webhook_id, 3)).find((delivery) => delivery.event_id === failed.data[0].event_id);
    expect(retried).toMatchObject({ status: 'succeeded', attempts: 3, response_status: 200 });
    expect(received('/mixed')).toHaveLength(5);
  });

  it('retries every failed delivery in bulk', async () => {
    receiver.answer('/bulk', 500, 500, 500, 500);
    const { webhook_id } = await subscribe('/bulk');
    await submit();
    await submit();
    expect((await settled(webhook_id, 2)).map((delivery) => delivery.status)).toEqual(['failed', 'failed']);
    const bad = await api.http
      .post(`/api/v1/webhooks/${webhook_id}/deliveries/retry`)
      .set(owner.headers)
      .send({ status: 'pending' });
    expect([bad.status, bad.body.error]).toEqual([400, 'validation_failed']);
    const retried = await api.http
      .post(`/api/v1/webhooks/${webhook_id}/deliveries/retry`)
      .set(owner.headers)
      .send({ status: 'failed' })
      .expect(202);
    expect(retried.body).toEqual({ queued: 2 });
    const after = await eventually(
      () => settled(webhook_id, 2),
      (list) => list.every((delivery) => delivery.status === 'succeeded'),
    );
    expect(after.map((delivery) => delivery.attempts)).toEqual([3, 3]);
    expect(received('/bulk')).toHaveLength(6);
  });

  it('disables a webhook at once on a 410 and emails the owners; PATCH enabled: true turns it on again', async () => {
    receiver.answer('/gone', 410);
    const { webhook_id } = await subscribe('/gone');
    await submit();
    const [delivery] = await settled(webhook_id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, response_status: 410 });
    expect(await webhook(webhook_id)).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    const mails = await eventually(
      async () => mailsAbout(webhook_id),
      (list) => list.length >= 2,
    );
    expect(mails.flatMap((mail) => mail.to).sort()).toEqual(['co-owner@ops.test', 'owner@ops.test']);
    expect(mails[0].subject).toBe('A webhook was disabled');
    expect(mails[0].text).toContain('410 Gone');
    expect(mailsAbout(webhook_id).some((mail) => mail.to.includes('editor@ops.test'))).toBe(false);

    const retry = await api.http
      .post(`/api/v1/webhooks/${webhook_id}/deliveries/${delivery.event_id}/retry`)
      .set(owner.headers);
    expect([retry.status, retry.body.error]).toEqual([409, 'webhook_disabled']);
    const bulk = await api.http
      .post(`/api/v1/webhooks/${webhook_id}/deliveries/retry`)
      .set(owner.headers)
      .send({ status: 'failed' });
    expect(bulk.status).toBe(409);

    const on = await patch(webhook_id, { enabled: true }).expect(200);
    expect(on.body).toMatchObject({ enabled: true, disabled_reason: null });
    await submit();
    await settled(webhook_id, 2);
    expect(received('/gone')).toHaveLength(2);
  });

  it('delivers nothing while disabled, and the bulk retry brings those events back once enabled', async () => {
    const { webhook_id } = await subscribe('/paused');
    await patch(webhook_id, { enabled: false }).expect(200);
    await submit();
    const [skipped] = await settled(webhook_id);
    expect(skipped).toMatchObject({ status: 'failed', attempts: 0, last_error: 'not sent: the webhook is disabled' });
    await sleep(300);
    expect(received('/paused')).toHaveLength(0);
    await patch(webhook_id, { enabled: true }).expect(200);
    const retried = await api.http
      .post(`/api/v1/webhooks/${webhook_id}/deliveries/retry`)
      .set(owner.headers)
      .send({ status: 'failed' })
      .expect(202);
    expect(retried.body).toEqual({ queued: 1 });
    const [delivered] = await eventually(
      () => settled(webhook_id),
      (list) => list[0].status === 'succeeded',
    );
    expect(delivered).toMatchObject({ event_id: skipped.event_id, attempts: 1, response_status: 200 });
    expect(received('/paused')).toHaveLength(1);
  });

  it('disables a webhook whose deliveries all failed for 72 hours (10 at least) and emails the owners', async () => {
    const recent = await subscribe('/failing-recently');
    const long = await subscribe('/failing-long');
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    // The run of failures as 72 hours of them would leave it, set on the webhook instead of waited for.
    await webhooks().updateOne(
      { _id: new Types.ObjectId(recent.webhook_id) },
      { $set: { failing_since: hoursAgo(71), consecutive_failures: 50 } },
    );
    await webhooks().updateOne(
      { _id: new Types.ObjectId(long.webhook_id) },
      { $set: { failing_since: hoursAgo(73), consecutive_failures: 8 } },
    );
    receiver.answer('/failing-recently', 500, 500, 500, 500);
    receiver.answer('/failing-long', 500, 500, 500, 500);
    await submit();
    await settled(long.webhook_id);
    await settled(recent.webhook_id);
    // Nine failures in 73 hours: not yet.
    expect(await webhook(long.webhook_id)).toMatchObject({ enabled: true, disabled_reason: null });
    await submit();
    await settled(long.webhook_id, 2);
    await settled(recent.webhook_id, 2);
    // The failure is recorded on the delivery first, then counted on the webhook.
    const off = await eventually(
      () => webhook(long.webhook_id),
      (hook) => hook.enabled === false,
    );
    expect(off).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    expect(await webhook(recent.webhook_id)).toMatchObject({ enabled: true, disabled_reason: null });
    const mails = await eventually(
      async () => mailsAbout(long.webhook_id),
      (list) => list.length >= 2,
    );
    expect(mails[0].text).toContain('failed for 72 hours');
    expect(mailsAbout(recent.webhook_id)).toHaveLength(0);

    // A success ends the run: the counters start again from nothing.
    await submit();
    await settled(recent.webhook_id, 3);
    const stored = await eventually(
      () => webhooks().findOne({ _id: new Types.ObjectId(recent.webhook_id) }),
      (hook) => hook?.consecutive_failures === 0,
    );
    expect(stored).toMatchObject({ failing_since: null, consecutive_failures: 0 });
  });

  it('answers "gone" for a webhook a 410 disabled before the reasons were named', async () => {
    const { webhook_id } = await subscribe('/legacy-gone');
    await webhooks().updateOne(
      { _id: new Types.ObjectId(webhook_id) },
      { $set: { active: false, disabled_reason: 'receiver answered 410 Gone' } },
    );
    expect(await webhook(webhook_id)).toMatchObject({ enabled: false, disabled_reason: 'gone' });
  });

  it('lets only owners operate webhooks, and no other tenant see them', async () => {
    const { webhook_id } = await subscribe('/guarded');
    for (const user of [editor, stranger]) {
      const expected = user === editor ? 403 : 404;
      for (const request of [
        api.http.get(`/api/v1/webhooks/${webhook_id}`).set(user.headers),
        api.http.patch(`/api/v1/webhooks/${webhook_id}`).set(user.headers).send({ enabled: false }),
        api.http.get(`/api/v1/webhooks/${webhook_id}/deliveries`).set(user.headers),
        api.http.post(`/api/v1/webhooks/${webhook_id}/deliveries/retry`).set(user.headers).send({ status: 'failed' }),
        api.http.post(`/api/v1/webhooks/${webhook_id}/deliveries/some-event/retry`).set(user.headers),
      ]) {
        expect((await request).status).toBe(expected);
      }
    }
    expect(await webhook(webhook_id)).toMatchObject({ enabled: true });
    await api.http.get(`/api/v1/webhooks/${webhook_id}`).set(coOwner.headers).expect(200);
  });
});
