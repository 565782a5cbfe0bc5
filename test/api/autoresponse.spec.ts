import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { Metrics } from '../../src/infrastructure/metrics/metrics.js';
import { jobIdFor } from '../../src/infrastructure/queue/job-id.js';
import { QueueName } from '../../src/infrastructure/queue/queue-names.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { EventsRepository } from '../../src/modules/events/events.repository.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const FIELDS = [
  { key: 'email', type: 'email', label: 'Email' },
  { key: 'name', type: 'textarea', label: 'Name', max_length: 500 },
  { key: 'message', type: 'textarea', label: 'Message', max_length: 500 },
];
const AUTORESPONSE = {
  email_field: 'email',
  subject: 'Thanks, {{name}}',
  text: 'Hello {{ name }},\n\nwe received: {{message}}{{unknown}}\n',
};

describe('autoresponses, through the queue and the worker', () => {
  let smtp: SmtpSink;
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;
  let queue: Queue;

  const mailTo = (address: string) => smtp.messages.filter((mail) => mail.to.includes(address));
  const autoresponsesTo = (address: string, count = 1) =>
    eventually(
      async () => mailTo(address).filter((mail) => !mail.subject.startsWith('Welcome')),
      (mails) => mails.length >= count,
    );

  /** What the worker's autoresponse job of this response answered, once it ran. */
  const outcomeOf = async (responseId: string) => {
    const job = await eventually(
      async () =>
        (await queue.getJobs(['completed'])).find(
          (found) => found.name === 'autoresponse' && found.data.response_id === responseId,
        ),
      (found) => found !== undefined,
    );
    return job?.returnvalue as { message_id?: string; skipped?: string } | undefined;
  };

  /** The names of the email jobs a response's event queued, once the event was handed over. */
  const emailJobsOf = async (responseId: string) => {
    const events = api.app.get(EventsRepository);
    const [event] = await TenantContext.runForTenant('acme', () => events.forEntity(responseId));
    await eventually(
      () => TenantContext.runForTenant('acme', () => events.isPending(event._id)),
      (pending) => !pending,
    );
    const jobs = await Promise.all(
      ['notify', 'autoresponse'].map((handler) => queue.getJob(jobIdFor(event._id, handler))),
    );
    return jobs.flatMap((job) => (job ? [job.name] : []));
  };

  const submit = async (formId: string, data: Record<string, unknown>) =>
    (await api.http.post(`/api/v1/forms/${formId}/submit`).set('x-tenant-id', 'acme').send({ data }).expect(201)).body
      .response_id as string;

  const newForm = (settings: Record<string, unknown>, fields: object[] = FIELDS) =>
    createForm(api, owner, { title: 'Autoresponding form', fields, settings });

  const skipped = async (reason: string) => {
    const metric = await worker.get(Metrics).registry.getSingleMetric('autoresponses_skipped_total')?.get();
    return metric?.values.find((value) => value.labels.reason === reason)?.value ?? 0;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    useTestEnvironment('autoresponse', {
      LOG_LEVEL: 'error',
      SMTP_URL: smtp.url,
      QUEUE_BACKOFF_MS: '100',
      AUTORESPONSE_PER_ADDRESS_PER_HOUR: '2',
      AUTORESPONSE_PER_FORM_PER_HOUR: '4',
    });
    api = await createE2eApp();
    queue = api.app.get<Queue>(getQueueToken(QueueName.Email));
    await createTenant(api, 'acme');
    owner = await addMember(api, 'acme', 'owner@acme.test');
    await addMember(api, 'acme', 'team@acme.test', 'viewer');
    worker = await startWorker();
  });

  afterAll(async () => {
    await worker?.stop();
    await api.close();
    await smtp.stop();
  });

  it('emails the submitted address the filled subject and text, with Reply-To the first notification address', async () => {
    const formId = await newForm({
      notification_emails: ['team@acme.test', 'owner@acme.test'],
      autoresponse: AUTORESPONSE,
    });
    const responseId = await submit(formId, { email: 'visitor@example.com', name: 'Ada', message: 'a question' });

    const [mail] = await autoresponsesTo('visitor@example.com');
    expect(mail.to).toEqual(['visitor@example.com']);
    expect(mail.subject).toBe('Thanks, Ada');
    expect(mail.text).toBe('Hello Ada,\n\nwe received: a question\n');
    expect(mail.html).toContain('<p>Hello Ada,<br>');
    expect(mail.replyTo).toBe('team@acme.test');
    expect((await outcomeOf(responseId))?.message_id).toEqual(expect.any(String));
    // The job names the response; the address and the answers are read when it is sent.
    const jobs = await queue.getJobs(['completed']);
    const held = JSON.stringify(
      jobs.filter((job) => job.name === 'autoresponse').map((job) => [job.data, job.returnvalue]),
    );
    expect(held).toContain(responseId);
    expect(held).not.toContain('visitor@example.com');
    expect(held).not.toContain('a question');
    // Queued again (a relay retry once its job was removed): counted and sent once per response.
    const again = await queue.add(
      'autoresponse',
      { tenant_id: 'acme', form_id: formId, response_id: responseId },
      { jobId: 'again' },
    );
    await eventually(
      () => again.isCompleted(),
      (done) => done,
    );
    expect((await queue.getJob('again'))?.returnvalue).toEqual({ skipped: 'sent already' });
    await sleep(300);
    expect(mailTo('visitor@example.com')).toHaveLength(1);
  });

  it('sets Reply-To to the owner when the form has no notification address', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    await submit(formId, { email: 'owner-reply@example.com', name: 'Bo', message: 'hi' });
    const [mail] = await autoresponsesTo('owner-reply@example.com');
    expect(mail.replyTo).toBe('owner@acme.test');
  });

  it('escapes every value in the HTML part', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    await submit(formId, { email: 'html@example.com', name: 'Eve', message: '<script>alert("x")</script><img src=x>' });
    const [mail] = await autoresponsesTo('html@example.com');
    expect(mail.text).toContain('we received: <script>alert("x")</script><img src=x>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src&#x3D;x&gt;');
    expect(mail.html).not.toMatch(/<script|<img/);
  });

  it('flattens a value with line breaks in the subject: one subject line, no header added', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    await submit(formId, {
      email: 'crlf@example.com',
      name: 'Mallory\r\nBcc: victim@example.com\r\nX-Evil: 1',
      message: 'm',
    });
    const [mail] = await autoresponsesTo('crlf@example.com');
    expect(mail.subject).toBe('Thanks, Mallory Bcc: victim@example[.]com X-Evil: 1');
    expect(mail.headerLines.filter((line) => /^(bcc|x-evil):/i.test(line))).toEqual([]);
    expect(mail.headerLines.filter((line) => /^subject:/i.test(line))).toHaveLength(1);
    expect(mail.to).toEqual(['crlf@example.com']);
    expect(mailTo('victim@example.com')).toEqual([]);
  });

  it('sends nothing when the email field is empty, or the form has no autoresponse', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    const before = await skipped('no_address');
    const responseId = await submit(formId, { name: 'Anonymous', message: 'no address' });
    expect(await outcomeOf(responseId)).toEqual({ skipped: 'no_address' });
    expect(await skipped('no_address')).toBe(before + 1);

    const silent = await newForm({});
    const silentResponse = await submit(silent, { email: 'silent@example.com', name: 'S', message: 'm' });
    expect(await emailJobsOf(silentResponse)).toEqual([]);
    expect(mailTo('silent@example.com').filter((mail) => !mail.subject.startsWith('Welcome'))).toEqual([]);
  });

  it('queues the jobs of the emails a form sends, and none of those it does not', async () => {
    const both = await newForm({ autoresponse: AUTORESPONSE, send_notification: true });
    const notifying = await newForm({ send_notification: true });
    const responding = await newForm({ autoresponse: AUTORESPONSE });
    const data = { email: 'jobs@example.com', name: 'J', message: 'm' };
    const bothResponse = await submit(both, data);
    expect(await emailJobsOf(bothResponse)).toEqual(['response-notification', 'autoresponse']);
    // Added together: two consecutive ranks of the tenant (one counter increment for both).
    const [event] = await TenantContext.runForTenant('acme', () =>
      api.app.get(EventsRepository).forEntity(bothResponse),
    );
    const priorities = await Promise.all(
      ['notify', 'autoresponse'].map(
        async (handler) => (await queue.getJob(jobIdFor(event._id, handler)))?.opts.priority,
      ),
    );
    expect(priorities[1]).toBe(priorities[0]! + 1);
    expect(await emailJobsOf(await submit(notifying, data))).toEqual(['response-notification']);
    expect(await emailJobsOf(await submit(responding, data))).toEqual(['autoresponse']);
  });

  it('still skips a queued autoresponse whose form no longer has one when the worker sends it', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    await queue.pause();
    try {
      const responseId = await submit(formId, { email: 'changed@example.com', name: 'C', message: 'm' });
      expect(await emailJobsOf(responseId)).toEqual(['autoresponse']);
      await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({ settings: { autoresponse: null } })
        .expect(200);
      await queue.resume();
      expect(await outcomeOf(responseId)).toEqual({ skipped: 'no autoresponse' });
    } finally {
      await queue.resume();
    }
    expect(mailTo('changed@example.com').filter((mail) => !mail.subject.startsWith('Welcome'))).toEqual([]);
  });

  it('counts a retried send once: the per-address limit skips the email beyond it and keeps the response', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    smtp.failNext(1);
    const first = await submit(formId, { email: 'Busy@example.com', name: 'First', message: 'm' });
    await autoresponsesTo('Busy@example.com');
    const firstJob = (await queue.getJobs(['completed'])).find(
      (job) => job.data.response_id === first && job.name === 'autoresponse',
    );
    expect(firstJob?.attemptsMade).toBe(2);
    await submit(formId, { email: 'busy@example.com', name: 'Second', message: 'm' });
    await autoresponsesTo('busy@example.com');
    const before = await skipped('address_limit');
    const third = await submit(formId, { email: 'busy@example.com', name: 'Third', message: 'm' });
    expect(await outcomeOf(third)).toEqual({ skipped: 'address_limit' });
    expect(await skipped('address_limit')).toBe(before + 1);
    await sleep(300);
    expect(mailTo('Busy@example.com').map((mail) => mail.subject)).toEqual(['Thanks, First']);
    expect(mailTo('busy@example.com').map((mail) => mail.subject)).toEqual(['Thanks, Second']);
    const stored = await api.http.get(`/api/v1/responses/${third}`).set(owner.headers).expect(200);
    expect(stored.body.data.name).toBe('Third');
  });

  it('skips the email beyond the per-form limit and keeps the response', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    const before = await skipped('form_limit');
    const responses: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      responses.push(await submit(formId, { email: `many${index}@example.com`, name: `N${index}`, message: 'm' }));
    }
    const outcomes = await Promise.all(responses.map(outcomeOf));
    expect(outcomes.filter((outcome) => outcome?.message_id)).toHaveLength(4);
    expect(outcomes.filter((outcome) => outcome?.skipped === 'form_limit')).toHaveLength(1);
    expect(await skipped('form_limit')).toBe(before + 1);
    const listed = await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200);
    expect(listed.body.data).toHaveLength(5);
  });

  it('sends nothing for a response deleted before its autoresponse was sent', async () => {
    const formId = await newForm({ autoresponse: AUTORESPONSE });
    await queue.pause();
    const responseId = await submit(formId, { email: 'deleted@example.com', name: 'Gone', message: 'erased answer' });
    await eventually(
      async () =>
        (await queue.getJobs(['waiting', 'prioritized'])).some(
          (job) => job.data.response_id === responseId && job.name === 'autoresponse',
        ),
      (queued) => queued,
    );
    await api.http.delete(`/api/v1/responses/${responseId}`).set(owner.headers).expect(204);
    await queue.resume();
    expect(await outcomeOf(responseId)).toEqual({ skipped: 'response_deleted' });
    expect(mailTo('deleted@example.com')).toEqual([]);
    expect(smtp.messages.filter((mail) => mail.text.includes('erased answer'))).toEqual([]);
  });

  describe('the form setting', () => {
    const create = (settings: object, fields: object[] = FIELDS) =>
      api.http.post('/api/v1/forms').set(owner.headers).send({ title: 'Settings form', fields, settings });
    const fieldsOf = async (
      answer: Promise<{ status: number; body: { error?: string; details?: { field: string }[] } }>,
    ) => {
      const { status, body } = await answer;
      return [status, body.error, (body.details ?? []).map((detail) => detail.field)];
    };

    it('is null by default, and shown as it was set', async () => {
      const plain = await create({}).expect(201);
      expect(plain.body.settings.autoresponse).toBeNull();
      const set = await create({ autoresponse: AUTORESPONSE }).expect(201);
      expect(set.body.settings.autoresponse).toEqual(AUTORESPONSE);
      const read = await api.http.get(`/api/v1/forms/${set.body.form_id}`).set(owner.headers).expect(200);
      expect(read.body.settings.autoresponse).toEqual(AUTORESPONSE);
      const patched = await api.http
        .patch(`/api/v1/forms/${plain.body.form_id}`)
        .set(owner.headers)
        .send({ settings: { autoresponse: { ...AUTORESPONSE, subject: 'Patched' } } })
        .expect(200);
      expect(patched.body.settings.autoresponse).toEqual({ ...AUTORESPONSE, subject: 'Patched' });
    });

    it('must name an email field of the form', async () => {
      const emailField = 'settings.autoresponse.email_field';
      expect(await fieldsOf(create({ autoresponse: { ...AUTORESPONSE, email_field: 'name' } }))).toEqual([
        400,
        'validation_failed',
        [emailField],
      ]);
      expect(await fieldsOf(create({ autoresponse: { ...AUTORESPONSE, email_field: 'nowhere' } }))).toEqual([
        400,
        'validation_failed',
        [emailField],
      ]);
    });

    it('refuses a subject over 200 characters, a text over 5,000, or a missing part', async () => {
      const subject = await fieldsOf(create({ autoresponse: { ...AUTORESPONSE, subject: 's'.repeat(201) } }));
      expect(subject).toEqual([400, 'validation_failed', ['settings.autoresponse.subject']]);
      const text = await fieldsOf(create({ autoresponse: { ...AUTORESPONSE, text: 't'.repeat(5_001) } }));
      expect(text).toEqual([400, 'validation_failed', ['settings.autoresponse.text']]);
      const missing = await fieldsOf(create({ autoresponse: { email_field: 'email', subject: 'Hi' } }));
      expect(missing[0]).toBe(400);
      expect(missing[2]).toContain('settings.autoresponse.text');
      await create({ autoresponse: { ...AUTORESPONSE, subject: 's'.repeat(200), text: 't'.repeat(5_000) } }).expect(
        201,
      );
    });

    it('keeps a PATCH from removing the email field while the autoresponse names it, and can be turned off', async () => {
      const formId = (await create({ autoresponse: AUTORESPONSE }).expect(201)).body.form_id as string;
      const patch = (body: object) => api.http.patch(`/api/v1/forms/${formId}`).set(owner.headers).send(body);
      const withoutEmail = FIELDS.filter((field) => field.key !== 'email');
      expect(await fieldsOf(patch({ fields: withoutEmail }))).toEqual([
        400,
        'validation_failed',
        ['settings.autoresponse.email_field'],
      ]);
      const retyped = FIELDS.map((field) => (field.key === 'email' ? { ...field, type: 'text' } : field));
      expect((await patch({ fields: retyped })).status).toBe(400);
      // Other settings change without touching it.
      const other = await patch({ settings: { send_notification: true } }).expect(200);
      expect(other.body.settings.autoresponse).toEqual(AUTORESPONSE);
      const off = await patch({ settings: { autoresponse: null }, fields: withoutEmail }).expect(200);
      expect(off.body.settings.autoresponse).toBeNull();
      expect(off.body.fields.map((field: { key: string }) => field.key)).toEqual(['name', 'message']);
    });
  });
});
