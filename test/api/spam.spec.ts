import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection, mongo, Types } from 'mongoose';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { RetentionService } from '../../src/modules/erasure/retention.service.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { storedBlobs } from '../support/stored-blobs.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const { EJSON } = mongo.BSON;

describe('spam: a filled honeypot is stored as spam, kept out of everything until marked not spam', () => {
  let smtp: SmtpSink;
  let receiver: WebhookReceiver;
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;
  let editor: SignedInUser;
  let viewer: SignedInUser;

  const db = () => {
    const database = api.app.get<Connection>(getConnectionToken()).db;
    if (!database) throw new Error('not connected');
    return database;
  };
  const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

  const submit = (formId: string, data: Record<string, unknown>, headers: Record<string, string> = {}) =>
    api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set({ 'x-tenant-id': 'acme', ...headers })
      .send({ data });
  /** A bot's submission: the honeypot `website` is filled. */
  const spam = async (formId: string, message: string, headers: Record<string, string> = {}) =>
    (await submit(formId, { email: 'bot@spam.test', message, website: 'http://spam.test' }, headers).expect(201)).body
      .response_id as string;
  const person = async (formId: string, message: string) =>
    (await submit(formId, { email: 'person@example.com', message, website: '' }).expect(201)).body
      .response_id as string;
  const notSpam = (responseId: string, user: SignedInUser = editor) =>
    api.http.post(`/api/v1/responses/${responseId}/not-spam`).set(user.headers);
  const read = async (responseId: string) =>
    (await api.http.get(`/api/v1/responses/${responseId}`).set(viewer.headers).expect(200)).body;
  const listed = async (formId: string, query = '') => {
    const page = await api.http.get(`/api/v1/forms/${formId}/responses${query}`).set(viewer.headers).expect(200);
    return page.body.data.map((row: { response_id: string }) => row.response_id).sort();
  };

  const submittedEvents = (responseId: string) =>
    db()
      .collection('events')
      // An envelope whose write did not happen (a full form) is kept, marked discarded, and never published.
      .countDocuments({ entity_id: responseId, event_type: 'response.submitted', discarded: { $ne: true } });
  const mailsWith = (text: string) => (smtp.messages as ReceivedMail[]).filter((mail) => mail.text.includes(text));
  const hooksWith = (text: string) => receiver.received.filter((hit) => hit.body.includes(text));
  const spamCounted = async () => {
    const metrics = await api.http.get('/metrics').expect(200);
    return Number(/^spam_stored_total\{reason="honeypot"\} (\d+)$/m.exec(metrics.text)?.[1] ?? 0);
  };

  /** A published contact form with the honeypot `website`, notifications to its owner. */
  const guardedForm = (user: SignedInUser, extraFields: object[] = []) =>
    createForm(api, user, {
      title: unique('Guarded'),
      fields: [
        { key: 'email', type: 'email', label: 'Email', required: true },
        { key: 'message', type: 'textarea', label: 'Message', max_length: 500 },
        ...extraFields,
      ],
      settings: { honeypot_field: 'website', send_notification: true },
    });

  beforeAll(async () => {
    smtp = await startSmtpSink();
    receiver = await startWebhookReceiver();
    useTestEnvironment('spam', {
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '50',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme', { max_responses_per_form: 2, features: { webhooks: true } });
    await createTenant(api, 'globex');
    owner = await addMember(api, 'acme');
    editor = await addMember(api, 'acme', 'editor@acme.test', 'editor');
    viewer = await addMember(api, 'acme', 'viewer@acme.test', 'viewer');
    await api.http
      .post('/api/v1/webhooks')
      .set(owner.headers)
      .send({ url: receiver.url('/acme'), events: ['response.submitted'] })
      .expect(201);
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await receiver.stop();
    await smtp.stop();
  });

  it('stores spam with the real id and counts it, without a slot, an event, an email or a webhook', async () => {
    const formId = await guardedForm(owner);
    const counted = await spamCounted();
    const [first, second] = [unique('first-bot'), unique('second-bot')];
    const firstSpam = await spam(formId, first);
    const people = [await person(formId, unique('person')), await person(formId, unique('person'))];
    // The form is full (2 slots, both people's): spam still gets its 201, and is stored.
    const secondSpam = await spam(formId, second);
    const full = await submit(formId, { email: 'late@example.com', website: '' });
    expect([full.status, full.body.error]).toEqual([403, 'quota_exceeded']);

    expect(await read(firstSpam)).toEqual({
      response_id: firstSpam,
      form_id: formId,
      form_version: 1,
      data: { email: 'bot@spam.test', message: first },
      spam: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await read(secondSpam)).spam).toBe(true);
    expect(await spamCounted()).toBe(counted + 2);

    // The people's responses are notified and delivered; the spam never is.
    for (const id of people) {
      await eventually(
        async () => hooksWith(id).length,
        (hits) => hits === 1,
      );
    }
    await eventually(
      async () => mailsWith('person@example.com').length,
      (mails) => mails >= 2,
    );
    await sleep(300);
    for (const [id, text] of [
      [firstSpam, first],
      [secondSpam, second],
    ]) {
      expect(await submittedEvents(id)).toBe(0);
      expect(await db().collection('events').countDocuments({ entity_id: id })).toBe(0);
      expect(hooksWith(id)).toEqual([]);
      expect(mailsWith(text)).toEqual([]);
    }
  });

  it('validates spam like any submission, and honours its idempotency key', async () => {
    const formId = await guardedForm(owner);
    const invalid = await submit(formId, { email: 'not-an-email', website: 'http://spam.test' });
    expect([invalid.status, invalid.body.error]).toEqual([400, 'validation_failed']);
    expect(invalid.body.details).toEqual([{ field: 'data.email', message: expect.any(String) }]);
    expect(
      await db()
        .collection('form_responses')
        .countDocuments({ form_id: new Types.ObjectId(formId) }),
    ).toBe(0);

    const counted = await spamCounted();
    const key = { 'idempotency-key': unique('key') };
    const [once, again] = [await spam(formId, 'twice', key), await spam(formId, 'twice', key)];
    expect(again).toBe(once);
    expect(
      await db()
        .collection('form_responses')
        .countDocuments({ form_id: new Types.ObjectId(formId) }),
    ).toBe(1);
    expect(await spamCounted()).toBe(counted + 1);
  });

  it('leaves spam out of lists and exports; ?spam=true lists spam only; GET shows either', async () => {
    const formId = await guardedForm(owner);
    const spamText = unique('export-bot');
    const bots = [await spam(formId, spamText), await spam(formId, spamText)].sort();
    const people = [await person(formId, 'kept'), await person(formId, 'kept')].sort();

    expect(await listed(formId)).toEqual(people);
    expect(await listed(formId, '?spam=false')).toEqual(people);
    expect(await listed(formId, '?spam=true')).toEqual(bots);
    const bad = await api.http.get(`/api/v1/forms/${formId}/responses?spam=yes`).set(viewer.headers);
    expect([bad.status, bad.body.error]).toEqual([400, 'validation_failed']);
    expect((await read(bots[0])).spam).toBe(true);
    expect((await read(people[0])).spam).toBe(false);

    const started = await api.http
      .post(`/api/v1/forms/${formId}/exports`)
      .set(editor.headers)
      .send({ format: 'csv' })
      .expect(202);
    const exportId: string = started.body.export_id;
    const done = await eventually(
      async () => (await api.http.get(`/api/v1/exports/${exportId}`).set(viewer.headers).expect(200)).body,
      (body) => body.status === 'completed' || body.status === 'failed',
      60_000,
    );
    expect(done).toMatchObject({ status: 'completed', row_count: 2 });
    const csv = await api.http.get(`/api/v1/exports/${exportId}/download`).set(viewer.headers).expect(200);
    for (const id of people) expect(csv.text).toContain(id);
    for (const id of bots) expect(csv.text).not.toContain(id);
    expect(csv.text).not.toContain(spamText);
  });

  it('marks spam not spam once, however often and concurrently asked: one slot, one event, one email, one webhook', async () => {
    const formId = await guardedForm(owner);
    const text = unique('rescued');
    const id = await spam(formId, text);
    const before = (await read(id)).updated_at;

    const concurrent = await Promise.all([notSpam(id), notSpam(id), notSpam(id, owner)]);
    expect(concurrent.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const later = await notSpam(id).expect(200);
    for (const answer of [...concurrent, later]) {
      expect(answer.body).toMatchObject({ response_id: id, spam: false, data: { message: text } });
    }
    expect(later.body.updated_at).not.toBe(before);
    expect(await listed(formId)).toEqual([id]);
    expect(await listed(formId, '?spam=true')).toEqual([]);

    await eventually(
      async () => hooksWith(id).length,
      (hits) => hits >= 1,
    );
    await eventually(
      async () => mailsWith(text).length,
      (mails) => mails >= 1,
    );
    await sleep(500);
    expect(await submittedEvents(id)).toBe(1);
    expect(hooksWith(id)).toHaveLength(1);
    expect(mailsWith(text)).toHaveLength(1);
    expect(mailsWith(text)[0].subject).toMatch(/^New response/);

    // It took one of the form's two slots: one more person fits, then the form is full.
    await person(formId, 'second slot');
    const full = await submit(formId, { email: 'late@example.com', website: '' });
    expect([full.status, full.body.error]).toEqual([403, 'quota_exceeded']);
  });

  it('answers 403 quota_exceeded on a full form and changes nothing', async () => {
    const formId = await guardedForm(owner);
    const id = await spam(formId, 'waiting');
    await person(formId, 'one');
    await person(formId, 'two');
    const refused = await notSpam(id);
    expect([refused.status, refused.body.error]).toEqual([403, 'quota_exceeded']);
    expect((await read(id)).spam).toBe(true);
    expect(await listed(formId, '?spam=true')).toEqual([id]);
    expect(await submittedEvents(id)).toBe(0);
  });

  it('answers a response that is not spam unchanged, without a new event', async () => {
    const formId = await guardedForm(owner);
    const id = await person(formId, 'already fine');
    await eventually(
      async () => hooksWith(id).length,
      (hits) => hits === 1,
    );
    const before = await read(id);
    const answer = await notSpam(id).expect(200);
    expect(answer.body).toEqual(before);
    await sleep(300);
    expect(await submittedEvents(id)).toBe(1);
    expect(hooksWith(id)).toHaveLength(1);
  });

  it('takes an editor (viewer 403), and answers 404 for a missing, deleted or other tenant’s response', async () => {
    const formId = await guardedForm(owner);
    const id = await spam(formId, 'guarded');
    const below = await notSpam(id, viewer);
    expect([below.status, below.body.error]).toEqual([403, 'forbidden']);
    expect((await read(id)).spam).toBe(true);

    const stranger = await addMember(api, 'globex');
    const elsewhere = await notSpam(id, stranger);
    const missing = await notSpam(new Types.ObjectId().toHexString());
    expect([elsewhere.status, elsewhere.body]).toEqual([404, missing.body]);
    expect(missing.body).toEqual({ statusCode: 404, error: 'not_found', message: 'Response not found' });
    expect((await read(id)).spam).toBe(true);

    await api.http.delete(`/api/v1/responses/${id}`).set(editor.headers).expect(204);
    expect((await notSpam(id)).status).toBe(404);
  });

  it('erases spam older than spam_retention_days with the daily run, keeping newer spam and responses', async () => {
    await createTenant(api, 'keeper');
    const keeperOwner = await addMember(api, 'keeper');
    const shown = await api.http.get('/api/v1/tenant').set(keeperOwner.headers).expect(200);
    expect(shown.body.settings.spam_retention_days).toBe(30);
    await api.http
      .patch('/api/v1/tenant')
      .set(keeperOwner.headers)
      .send({ settings: { spam_retention_days: 10 } })
      .expect(200);
    const formId = await guardedForm(keeperOwner, [{ key: 'attachment', type: 'file', label: 'Attachment' }]);
    const secret = unique('old-spam');
    const upload = await api.http
      .post(`/api/v1/forms/${formId}/files`)
      .set('x-tenant-id', 'keeper')
      .attach('file', Buffer.from(`bytes of ${secret}`), { filename: 'spam.txt', contentType: 'text/plain' })
      .expect(201);
    const send = async (data: Record<string, unknown>) =>
      (
        await api.http
          .post(`/api/v1/forms/${formId}/submit`)
          .set('x-tenant-id', 'keeper')
          .send({ data: { email: 'someone@example.com', ...data } })
          .expect(201)
      ).body.response_id as string;
    const oldSpam = await send({ message: secret, attachment: upload.body.file_id, website: 'http://spam.test' });
    const newSpam = await send({ message: 'young spam', website: 'http://spam.test' });
    const oldResponse = await send({ message: 'old response' });
    for (const [id, age] of [
      [oldSpam, 11],
      [newSpam, 9],
      [oldResponse, 11],
    ] as const) {
      await db()
        .collection('form_responses')
        .updateOne({ _id: new Types.ObjectId(id) }, { $set: { created_at: new Date(Date.now() - age * DAY_MS) } });
    }
    const counter = () =>
      db()
        .collection('form_counters')
        .findOne({ _id: new Types.ObjectId(formId) });
    const slotsBefore = (await counter())?.responses;

    const summary = await worker.get(RetentionService).run();

    expect(summary.spam_erased).toBe(1);
    const status = async (id: string) =>
      (await api.http.get(`/api/v1/responses/${id}`).set(keeperOwner.headers)).status;
    expect([await status(oldSpam), await status(newSpam), await status(oldResponse)]).toEqual([404, 200, 200]);
    expect(
      await db()
        .collection('form_responses')
        .countDocuments({ _id: new Types.ObjectId(oldSpam) }),
    ).toBe(0);
    // Erased like a deleted response: its data and the file only it used are gone from every collection.
    for (const name of (await db().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name)) {
      const documents = await db().collection(name).find({}).toArray();
      expect([name, documents.some((document) => EJSON.stringify(document).includes(secret))]).toEqual([name, false]);
      expect([name, documents.some((document) => EJSON.stringify(document).includes(oldSpam))]).toEqual([name, false]);
    }
    expect((await storedBlobs(api.app)).filter((blob) => blob.bytes.includes(secret))).toEqual([]);
    // Spam held no slot: the form's count of responses is what it was.
    expect((await counter())?.responses).toBe(slotsBefore);
    const runs = await db().collection('retention_runs').find({ tenant_id: 'keeper' }).toArray();
    expect(runs).toEqual([expect.objectContaining({ spam_erased: 1, spam_before: expect.any(Date) })]);

    const invalid = await api.http
      .patch('/api/v1/tenant')
      .set(keeperOwner.headers)
      .send({ settings: { spam_retention_days: 0 } });
    expect([invalid.status, invalid.body.error]).toEqual([400, 'validation_failed']);
  });
});
