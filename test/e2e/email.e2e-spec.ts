import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueName } from '../../src/infrastructure/queue/queue-names.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { EventsRepository } from '../../src/modules/events/events.repository.js';
import { createForm, createTenant, addMember } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
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
    const queue = api.app.get<Queue>(getQueueToken(QueueName.email));
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
        payload: { user_id: user.user_id, email: 'grace@example.com', name: 'Test User', role: 'editor' },
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

  it('emails a password reset token that works', async () => {
    await api.http
      .post('/api/v1/auth/password-reset')
      .set('x-tenant-id', 'acme')
      .send({ email: 'ada@example.com' })
      .expect(202);
    const resets = await eventually(
      async () => mailTo('ada@example.com').filter((mail) => mail.subject === 'Reset your password'),
      (mails) => mails.length === 1,
    );
    const token = /^([0-9a-f]{24}\.[\w-]+)$/m.exec(resets[0].text)?.[1];
    expect(token).toBeDefined();
    await api.http
      .post('/api/v1/auth/password-reset/confirm')
      .set('x-tenant-id', 'acme')
      .send({ token, password: 'brand-new-password' })
      .expect(204);
  });

  it("notifies a form's notification emails, or its owner, of each response, and no one when it is off", async () => {
    const owner = await addMember(api, 'acme', 'owner@example.com');
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
    const [teamMail] = await arrived('a@team.test');
    await arrived('b@team.test');
    expect(teamMail.subject).toBe('New response to "Team form"');
    expect(teamMail.text).toContain('email: "visitor@example.com"');
    expect(teamMail.text).toContain('message: "Hello there"');
    const ownerMails = await eventually(
      async () => mailTo('owner@example.com').filter((mail) => mail.subject.startsWith('New response')),
      (mails) => mails.length >= 1,
    );
    expect(ownerMails.map((mail) => mail.subject)).toEqual(['New response to "Owner form"']);
  });

  it('emails a share invitation', async () => {
    const inviter = await addMember(api, 'acme', 'inviter@example.com');
    const formId = await createForm(api, inviter, { title: 'Shared form' });
    const invited = await api.http
      .post(`/api/v1/forms/${formId}/invitations`)
      .set(inviter.headers)
      .send({ email: 'Guest@Example.com', role: 'viewer' })
      .expect(201);
    expect(invited.body).toEqual({
      invitation_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      form_id: formId,
      email: 'guest@example.com',
      role: 'viewer',
      created_at: expect.any(String),
    });
    const [mail] = await arrived('guest@example.com');
    expect(mail.subject).toBe('Test User shared the form "Shared form" with you');
    expect(mail.text).toContain('as viewer');
    const badRole = await api.http
      .post(`/api/v1/forms/${formId}/invitations`)
      .set(inviter.headers)
      .send({ email: 'guest@example.com', role: 'owner' });
    expect(badRole.status).toBe(400);
  });

  it('retries a send the SMTP server refused, and delivers it once', async () => {
    smtp.failNext(1);
    await addMember(api, 'acme', 'retry@example.com');
    const mails = await arrived('retry@example.com');
    await sleep(300);
    expect(mailTo('retry@example.com')).toHaveLength(1);
    expect(mails[0].subject).toBe('Welcome, Test User');
  });
});
