import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Queue, Worker } from 'bullmq';
import type { Connection } from 'mongoose';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { QueueName } from '../../src/infrastructure/queue/queue-names.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { EventsRepository } from '../../src/modules/events/events.repository.js';
import { addMember, adminHeaders, createForm, createTenant, tokenOfLink } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

describe('email, through the queue and the worker', () => {
  let smtp: SmtpSink;
  let api: E2eApp;
  let worker: TestWorker | undefined;

  const mailTo = (address: string) => (smtp.messages as ReceivedMail[]).filter((mail) => mail.to.includes(address));
  const arrived = (address: string, count = 1) =>
    eventually(
      async () => mailTo(address),
      (mails) => mails.length >= count,
    );

  const linkIn = (text: string, page: string) => {
    const link = new RegExp(`^(http://\\S+/${page}\\?\\S+)$`, 'm').exec(text)?.[1];
    if (!link) throw new Error(`no ${page} link in: ${text}`);
    return link;
  };

  /** The link of the HTML part, its entities decoded as a browser would. */
  const hrefIn = (html: string) =>
    (/href="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

  /** The token is in no job (Redis), no stored event and no API answer: only in the email. */
  const expectNowhereBut = async (token: string, _where: 'the email') => {
    const queue = api.app.get<Queue>(getQueueToken(QueueName.Email));
    const jobs = await queue.getJobs(['completed', 'waiting', 'prioritized', 'delayed', 'failed', 'active']);
    expect(jobs.length).toBeGreaterThan(0);
    expect(JSON.stringify(jobs.map((job) => [job.data, job.returnvalue]))).not.toContain(token);
    const secret = token.split('.')[1];
    const events = await api.app.get<Connection>(getConnectionToken()).collection('events').find({}).toArray();
    expect(JSON.stringify(events)).not.toContain(secret);
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    useTestEnvironment('email', { LOG_LEVEL: 'error', SMTP_URL: smtp.url, QUEUE_BACKOFF_MS: '100' });
    api = await createE2eApp();
    await createTenant(api, 'acme');
  });

  afterAll(async () => {
    await worker?.stop();
    await api.close();
    await smtp.stop();
  });

  it('sends nothing from the HTTP handler: the welcome email waits in the queue until a worker runs', async () => {
    await addMember(api, 'acme', 'ada@example.com');
    await sleep(300);
    expect(mailTo('ada@example.com')).toEqual([]);
    const queue = api.app.get<Queue>(getQueueToken(QueueName.Email));
    expect((await queue.getJobCounts('waiting')).waiting).toBeGreaterThanOrEqual(1);

    worker = await startWorker();
    const [welcome] = await arrived('ada@example.com');
    expect(welcome.subject).toBe('Welcome, Test User');
    expect(welcome.text).toContain('your account ada@example.com is ready');
  });

  it('stores every envelope as the audit log, marked published once its jobs are queued', async () => {
    const user = await addMember(api, 'acme', 'grace@example.com');
    const stored = await TenantContext.runForTenant('acme', () =>
      api.app.get(EventsRepository).forEntity(user.user_id),
    );
    expect(stored).toEqual([
      {
        _id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tenant_id: 'acme',
        event_type: 'user.registered',
        timestamp: expect.any(Date),
        user_id: null,
        entity_id: user.user_id,
        payload: { user_id: user.user_id, email: 'grace@example.com', name: 'Test User', role: 'owner' },
        metadata: { request_id: expect.any(String), source: 'api' },
      },
    ]);
    const stillPending = await eventually(
      () => TenantContext.runForTenant('acme', () => api.app.get(EventsRepository).isPending(stored[0]._id)),
      (pending) => !pending,
    );
    expect(stillPending).toBe(false);
    await arrived('grace@example.com');
  });

  it('emails a password reset link whose token was minted by the worker, in text and HTML, and works once', async () => {
    await api.http
      .post('/api/v1/auth/password-reset')
      .set('x-tenant-id', 'acme')
      .send({ email: 'ada@example.com' })
      .expect(202);
    const [reset] = await eventually(
      async () => mailTo('ada@example.com').filter((mail) => mail.subject === 'Reset your password'),
      (mails) => mails.length === 1,
    );
    const link = linkIn(reset.text, 'reset-password');
    expect(hrefIn(reset.html)).toBe(link);
    const token = tokenOfLink(link);
    await expectNowhereBut(token, 'the email');
    const confirm = () =>
      api.http
        .post('/api/v1/auth/password-reset/confirm')
        .set('x-tenant-id', 'acme')
        .send({ token, password: 'brand-new-password' });
    await confirm().expect(204);
    expect((await confirm()).body.error).toBe('invalid_token');
  });

  it("notifies a form's notification emails, or its owner, of each response, and no one when it is off", async () => {
    const owner = await addMember(api, 'acme', 'owner@example.com');
    for (const teammate of ['a@team.test', 'b@team.test']) await addMember(api, 'acme', teammate, 'viewer');
    const toTeam = await createForm(api, owner, {
      title: 'Team form',
      settings: { send_notification: true, notification_emails: ['a@team.test', 'b@team.test'] },
    });
    const toOwner = await createForm(api, owner, { title: 'Owner form', settings: { send_notification: true } });
    const silent = await createForm(api, owner, { title: 'Silent form' });
    for (const formId of [toTeam, toOwner, silent]) {
      await api.http
        .post(`/api/v1/forms/${formId}/submit`)
        .set('x-tenant-id', 'acme')
        .send({ data: { email: 'visitor@example.com', message: 'Hello there' } })
        .expect(201);
    }
    const notified = (address: string) =>
      eventually(
        async () => mailTo(address).filter((mail) => mail.subject.startsWith('New response')),
        (mails) => mails.length >= 1,
      );
    const [teamMail] = await notified('a@team.test');
    await notified('b@team.test');
    expect(teamMail.subject).toBe('New response to "Team form"');
    expect(teamMail.text).toContain('email: "visitor@example.com"');
    expect(teamMail.text).toContain('message: "Hello there"');
    const ownerMails = await eventually(
      async () => mailTo('owner@example.com').filter((mail) => mail.subject.startsWith('New response')),
      (mails) => mails.length >= 1,
    );
    expect(ownerMails.map((mail) => mail.subject)).toEqual(['New response to "Owner form"']);
  });

  it('emails a response as it is when sent: a deleted one is never emailed, and no email job holds answers', async () => {
    const owner = await addMember(api, 'acme', 'erasing-owner@example.com');
    const formId = await createForm(api, owner, { title: 'Erasable form', settings: { send_notification: true } });
    const secret = `erased answer ${Date.now()}`;
    const queue = api.app.get<Queue>(getQueueToken(QueueName.Email));
    const submit = async (message: string) =>
      (
        await api.http
          .post(`/api/v1/forms/${formId}/submit`)
          .set('x-tenant-id', 'acme')
          .send({ data: { email: 'visitor@example.com', message } })
          .expect(201)
      ).body.response_id as string;

    // Held in the queue while the first response is deleted.
    await queue.pause();
    const erased = await submit(secret);
    const kept = await submit('kept answer');
    await eventually(
      () => queue.getJobCounts('waiting', 'prioritized'),
      (counts) => counts.waiting + counts.prioritized >= 2,
    );
    await api.http.delete(`/api/v1/responses/${erased}`).set(owner.headers).expect(204);
    await queue.resume();

    const [mail] = await eventually(
      async () => mailTo('erasing-owner@example.com').filter((found) => found.text.includes(kept)),
      (mails) => mails.length === 1,
    );
    expect(mail.text).toContain('message: "kept answer"');
    await eventually(
      () => queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
      (counts) => counts.waiting + counts.prioritized + counts.active + counts.delayed === 0,
    );
    await sleep(300);
    expect(mailTo('erasing-owner@example.com').filter((found) => found.text.includes(erased))).toEqual([]);
    expect(smtp.messages.filter((found) => found.text.includes(secret))).toEqual([]);
    const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'prioritized', 'delayed', 'active']);
    const held = JSON.stringify(jobs.map((job) => [job.name, job.data, job.returnvalue, job.failedReason]));
    expect(held).toContain(kept);
    expect(held).not.toContain(secret);
    expect(held).not.toContain('kept answer');
    expect(held).not.toContain('visitor@example.com');
  });

  it('emails an invitation to a form with an accept link (text and HTML) that makes a member once', async () => {
    const inviter = await addMember(api, 'acme', 'inviter@example.com');
    const formId = await createForm(api, inviter, { title: 'Shared form' });
    const invited = await api.http
      .post(`/api/v1/forms/${formId}/invitations`)
      .set(inviter.headers)
      .send({ email: 'Guest@Example.com', role: 'viewer' })
      .expect(201);
    expect(invited.body).toEqual({
      invitation_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      email: 'guest@example.com',
      role: 'viewer',
      form_id: formId,
      status: 'pending',
      invited_by: inviter.user_id,
      expires_at: expect.any(String),
      created_at: expect.any(String),
    });
    const sevenDays = Date.parse(invited.body.expires_at) - Date.parse(invited.body.created_at);
    expect(Math.round(sevenDays / 3_600_000)).toBe(7 * 24);
    const [mail] = await arrived('guest@example.com');
    expect(mail.subject).toBe('You are invited to join acme');
    expect(mail.text).toContain('Test User invites you to join acme as viewer, to work on the form "Shared form"');
    const link = linkIn(mail.text, 'accept-invitation');
    expect(link).toMatch(/^http:\/\/localhost:3000\/accept-invitation\?tenant=acme&token=/);
    expect(hrefIn(mail.html)).toBe(link);
    const token = tokenOfLink(link);
    await expectNowhereBut(token, 'the email');

    const accept = () =>
      api.http
        .post('/api/v1/auth/invitations/accept')
        .set('x-tenant-id', 'acme')
        .send({ token, name: 'Guest', password: 'guest-password' });
    const accepted = await accept().expect(201);
    expect(accepted.body.user).toMatchObject({ email: 'guest@example.com', role: 'viewer' });
    const again = await accept();
    expect([again.status, again.body.error]).toEqual([400, 'invalid_token']);
    const badRole = await api.http
      .post(`/api/v1/forms/${formId}/invitations`)
      .set(inviter.headers)
      .send({ email: 'other@example.com', role: 'owner' });
    expect([badRole.status, badRole.body.error]).toEqual([400, 'validation_failed']);
  });

  it('emails an owner invitation when the operator creates a tenant with an owner', async () => {
    const created = await api.http
      .post('/api/v1/admin/tenants')
      .set(adminHeaders)
      .send({ tenant_id: 'initech', name: 'Initech', owner: { email: 'boss@initech.test', name: 'Bill' } })
      .expect(201);
    expect(created.body.owner_invitation).toEqual({
      invitation_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      email: 'boss@initech.test',
      expires_at: expect.any(String),
    });
    const [mail] = await arrived('boss@initech.test');
    expect(mail.text).toContain('Hello Bill,\n\nYou are invited to join Initech as owner.');
    const accepted = await api.http
      .post('/api/v1/auth/invitations/accept')
      .set('x-tenant-id', 'initech')
      .send({ token: tokenOfLink(linkIn(mail.text, 'accept-invitation')), name: 'Bill', password: 'boss-password' })
      .expect(201);
    expect(accepted.body.user.role).toBe('owner');
  });

  it('retries a send the SMTP server refused, and delivers it once', async () => {
    smtp.failNext(1);
    await addMember(api, 'acme', 'retry@example.com');
    const mails = await arrived('retry@example.com');
    await sleep(300);
    expect(mailTo('retry@example.com')).toHaveLength(1);
    expect(mails[0].subject).toBe('Welcome, Test User');
  });

  it('takes the answers out of email jobs the previous release queued, and sends its waiting ones from the response as it is', async () => {
    const owner = await addMember(api, 'acme', 'legacy-owner@example.com');
    const formId = await createForm(api, owner, { title: 'Legacy form' });
    const submit = async (message: string) =>
      (
        await api.http
          .post(`/api/v1/forms/${formId}/submit`)
          .set('x-tenant-id', 'acme')
          .send({ data: { email: 'visitor@example.com', message } })
          .expect(201)
      ).body.response_id as string;
    const live = await submit('answer as it is now');
    const deleted = await submit('deleted answer');
    await api.http.delete(`/api/v1/responses/${deleted}`).set(owner.headers).expect(204);
    const secret = `legacy answer ${Date.now()}`;
    const queue = api.app.get<Queue>(getQueueToken(QueueName.Email));
    /** A response notification as the previous release queued it: every answer in the job. */
    const legacySend = (responseId: string) => ({
      tenant_id: 'acme',
      to: 'legacy-owner@example.com',
      template: 'response-notification',
      context: { form_title: 'Legacy form', response_id: responseId, fields: [{ key: 'message', value: secret }] },
    });

    // The previous release's worker ran some of them (one failed for good); this release's is stopped.
    await worker?.stop();
    await queue.add('send', legacySend(deleted), { jobId: 'legacy.sent' });
    await queue.add('send', legacySend(deleted), { jobId: 'legacy.refused', attempts: 1 });
    await queue.add(
      'response-notification',
      { tenant_id: 'acme', event_id: 'legacy', form_id: formId, response_id: deleted, data: { message: secret } },
      { jobId: 'legacy.fan-out' },
    );
    const { redisUrl, queue: queueConfig } = api.app.get(AppConfigService);
    const previous = new Worker(
      QueueName.Email,
      async (job) => {
        if (job.id === 'legacy.refused') throw new Error('SMTP refused');
        return { message_id: `<${job.id}@legacy>` };
      },
      { connection: { url: redisUrl }, prefix: queueConfig.prefix },
    );
    await eventually(
      () => Promise.all(['legacy.sent', 'legacy.refused', 'legacy.fan-out'].map((id) => queue.getJobState(id))),
      (states) => states.join() === 'completed,failed,completed',
    );
    await previous.close();
    // Still waiting when this release starts: one for a deleted response, one for a live one.
    await queue.add('send', legacySend(deleted), { jobId: 'legacy.waiting-deleted' });
    await queue.add('send', legacySend(live), { jobId: 'legacy.waiting-live' });
    const legacyIds = [
      'legacy.sent',
      'legacy.refused',
      'legacy.fan-out',
      'legacy.waiting-deleted',
      'legacy.waiting-live',
    ];
    const held = async () =>
      JSON.stringify(await Promise.all(legacyIds.map(async (id) => (await queue.getJob(id))?.data ?? null)));
    expect(await held()).toContain(secret);

    worker = await startWorker();
    const [mail] = await eventually(
      async () => mailTo('legacy-owner@example.com').filter((found) => found.subject.startsWith('New response')),
      (mails) => mails.length >= 1,
    );
    expect(mail.text).toContain('message: "answer as it is now"');
    expect(await eventually(held, (data) => !data.includes(secret))).not.toContain(secret);
    expect(await held()).not.toContain('null');
    await eventually(
      () => queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
      (counts) => counts.waiting + counts.prioritized + counts.active + counts.delayed === 0,
    );
    await sleep(300);
    expect(smtp.messages.filter((found) => found.text.includes(secret) || found.text.includes(deleted))).toEqual([]);
    expect(mailTo('legacy-owner@example.com').filter((found) => found.subject.startsWith('New response'))).toHaveLength(
      1,
    );
    expect((await queue.getJob('legacy.refused'))?.data).toEqual({
      tenant_id: 'acme',
      to: 'legacy-owner@example.com',
      template: 'response-notification',
      context: { response_id: deleted },
    });
  });
});
