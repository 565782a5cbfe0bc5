import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { InvitationsService } from '../../src/modules/invitations/invitations.service.js';
import { addMember, createTenant, tokenOfLink, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const INVITATIONS_PER_HOUR = 3;

/**
 * What an owner's invitations can and cannot do: they end with the owner's ownership, are limited per
 * tenant, and their emails show the names owners chose as plain text.
 */
describe('invitations: revoked with their sender’s ownership, limited per tenant, safe to read', () => {
  let smtp: SmtpSink;
  let api: E2eApp;
  let worker: TestWorker;

  const invite = (user: SignedInUser, email: string, role = 'viewer') =>
    api.http.post('/api/v1/invitations').set(user.headers).send({ email, role });
  const accept = (tenant: string, token: string) =>
    api.http
      .post('/api/v1/auth/invitations/accept')
      .set('x-tenant-id', tenant)
      .send({ token, name: 'Invitee', password: 'password-123' });
  const statusOf = async (owner: SignedInUser, email: string) => {
    const listed = await api.http.get('/api/v1/invitations').set(owner.headers).expect(200);
    return listed.body.data.find((invitation: { email: string }) => invitation.email === email)?.status;
  };
  /** The accept link of the invitation email to `email`, once the worker sent it. */
  const emailedToken = async (email: string) => {
    const [mail] = await eventually(
      async () => smtp.messages.filter((message) => message.to.includes(email)),
      (mails) => mails.length === 1,
    );
    const link = /^(http:\/\/\S+\/accept-invitation\?\S+)$/m.exec(mail.text)?.[1];
    if (!link) throw new Error(`no accept link in: ${mail.text}`);
    return tokenOfLink(link);
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    useTestEnvironment('invitation-safety', {
      LOG_LEVEL: 'error',
      SMTP_URL: smtp.url,
      RATE_LIMIT_INVITATIONS_PER_TENANT_PER_HOUR: String(INVITATIONS_PER_HOUR),
    });
    api = await createE2eApp();
    worker = await startWorker();
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await smtp.stop();
  });

  it('revokes the pending invitations of an owner who is demoted: their emailed links stop working', async () => {
    await createTenant(api, 'demoted');
    const first = await addMember(api, 'demoted', 'first@demoted.test');
    const second = await addMember(api, 'demoted', 'second@demoted.test');
    await invite(second, 'pending@demoted.test', 'editor').expect(201);
    await invite(first, 'kept@demoted.test').expect(201);
    const pendingToken = await emailedToken('pending@demoted.test');

    await api.http.patch(`/api/v1/users/${second.user_id}`).set(first.headers).send({ role: 'viewer' }).expect(200);

    expect(await statusOf(first, 'pending@demoted.test')).toBe('revoked');
    const refused = await accept('demoted', pendingToken);
    expect([refused.status, refused.body.error]).toEqual([400, 'invalid_token']);
    // Promoted again, the demoted owner's old invitations stay revoked; another owner's stay valid.
    await api.http.patch(`/api/v1/users/${second.user_id}`).set(first.headers).send({ role: 'owner' }).expect(200);
    expect((await accept('demoted', pendingToken)).status).toBe(400);
    expect(await statusOf(first, 'kept@demoted.test')).toBe('pending');
    await accept('demoted', await emailedToken('kept@demoted.test')).expect(201);
  });

  it('revokes the pending invitations of an owner who is removed or leaves', async () => {
    await createTenant(api, 'removed');
    const first = await addMember(api, 'removed', 'first@removed.test');
    const leaving = await addMember(api, 'removed', 'leaving@removed.test');
    const removed = await addMember(api, 'removed', 'removed@removed.test');
    await invite(leaving, 'by-leaver@removed.test').expect(201);
    await invite(removed, 'by-removed@removed.test').expect(201);
    const byLeaver = await emailedToken('by-leaver@removed.test');
    const byRemoved = await emailedToken('by-removed@removed.test');

    await api.http.delete(`/api/v1/users/${leaving.user_id}`).set(leaving.headers).expect(204);
    await api.http.delete(`/api/v1/users/${removed.user_id}`).set(first.headers).expect(204);

    for (const token of [byLeaver, byRemoved]) {
      const refused = await accept('removed', token);
      expect([refused.status, refused.body.error]).toEqual([400, 'invalid_token']);
    }
    expect(await statusOf(first, 'by-leaver@removed.test')).toBe('revoked');
    expect(await statusOf(first, 'by-removed@removed.test')).toBe('revoked');
  });

  it('never leaves a pending invitation behind an owner demoted while inviting', async () => {
    await createTenant(api, 'racing');
    const first = await addMember(api, 'racing', 'first@racing.test');
    const second = await addMember(api, 'racing', 'second@racing.test');
    const [invited, demoted] = await Promise.all([
      invite(second, 'raced@racing.test'),
      api.http.patch(`/api/v1/users/${second.user_id}`).set(first.headers).send({ role: 'editor' }),
    ]);
    expect(demoted.status).toBe(200);
    // Either the invitation came first (and was revoked by the demotion) or it was refused.
    expect([201, 403]).toContain(invited.status);
    expect(await statusOf(first, 'raced@racing.test')).toBe(invited.status === 201 ? 'revoked' : undefined);
  });

  it('limits the invitations a tenant’s members send per hour (429), not the operator’s nor other tenants’', async () => {
    await createTenant(api, 'limited');
    await createTenant(api, 'elsewhere');
    const owner = await addMember(api, 'limited');
    const other = await addMember(api, 'elsewhere');
    const answers = [];
    for (let index = 0; index <= INVITATIONS_PER_HOUR; index += 1) {
      answers.push(await invite(owner, `guest${index}@limited.test`));
    }
    expect(answers.map((answer) => answer.status)).toEqual([...Array(INVITATIONS_PER_HOUR).fill(201), 429]);
    const limited = answers[INVITATIONS_PER_HOUR];
    expect(limited.body).toEqual({ statusCode: 429, error: 'rate_limited', message: expect.any(String) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3_000);
    expect(await statusOf(owner, `guest${INVITATIONS_PER_HOUR}@limited.test`)).toBeUndefined();
    const formInvitation = await api.http
      .post('/api/v1/forms/0123456789abcdef01234567/invitations')
      .set(owner.headers)
      .send({ email: 'form-guest@limited.test', role: 'viewer' });
    expect([formInvitation.status, formInvitation.body.error]).toEqual([404, 'not_found']);

    await invite(other, 'guest@elsewhere.test').expect(201);
    const byOperator = await TenantContext.runForTenant('limited', () =>
      api.app.get(InvitationsService).inviteWithLink({ email: 'operator-guest@limited.test', role: 'owner' }),
    );
    expect(byOperator.invitation.status).toBe('pending');
  });

  it('shows the names owners chose as plain text: one-line subject, no links, escaped HTML', async () => {
    await createTenant(api, 'phishy');
    const owner = await addMember(api, 'phishy');
    await api.http
      .patch('/api/v1/tenant')
      .set(owner.headers)
      .send({ name: 'Your bank\r\nBcc: everyone@example.com <b>verify at https://evil.example/login</b>' })
      .expect(200);

    await invite(owner, 'target@phishy.test').expect(201);

    const [mail] = await eventually(
      async () => smtp.messages.filter((message) => message.to.includes('target@phishy.test')),
      (mails) => mails.length === 1,
    );
    expect(mail.to).toEqual(['target@phishy.test']);
    expect(mail.subject).toBe(
      'You are invited to join Your bank Bcc: everyone@example[.]com <b>verify at https[:]//evil[.]example/login</b>',
    );
    for (const part of [mail.subject, mail.text, mail.html]) expect(part).not.toContain('evil.example');
    expect(mail.html).toContain('&lt;b&gt;verify at');
    expect(mail.html).not.toContain('<b>verify');
  });
});
