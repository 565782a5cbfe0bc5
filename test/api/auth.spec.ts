import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AccessTokenService } from '../../src/infrastructure/auth/access-token.service.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { EventType, type EventEnvelope } from '../../src/modules/events/event.types.js';
import { PasswordResetService } from '../../src/modules/users/password-reset.service.js';
import { User } from '../../src/modules/users/user.schema.js';
import { addMember, bearer, createTenant, tokenOfLink } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

describe('auth: registration, sign-in, sessions and password reset', () => {
  let api: E2eApp;
  const emitted: EventEnvelope[] = [];

  const register = (tenant: string, email: string, password = 'password-123') =>
    api.http.post('/api/v1/auth/register').set('x-tenant-id', tenant).send({ email, password, name: 'Ada' });
  const login = (tenant: string, email: string, password: string) =>
    api.http.post('/api/v1/auth/login').set('x-tenant-id', tenant).send({ email, password });
  const me = (headers: Record<string, string>) => api.http.get('/api/v1/users/me').set(headers);

  beforeAll(async () => {
    useTestEnvironment('auth', { LOG_LEVEL: 'error', LOGIN_MAX_FAILURES_PER_EMAIL: '3' });
    api = await createE2eApp();
    const emitter = api.app.get(EventEmitter2);
    for (const type of [EventType.UserRegistered, EventType.PasswordResetRequested]) {
      emitter.on(type, (event: EventEnvelope) => emitted.push(event));
    }
    await createTenant(api, 'acme');
    await createTenant(api, 'globex');
    await createTenant(api, 'open-co', { registration: 'open' });
    await createTenant(api, 'open-editors', { registration: 'open', signup_role: 'editor' });
  });

  afterAll(() => api.close());

  it('refuses an outsider who registers into an invite-only tenant, and stores nothing', async () => {
    const refused = await register('acme', 'intruder@example.com');
    expect([refused.status, refused.body.error]).toEqual([403, 'registration_closed']);
    const owner = await addMember(api, 'acme');
    const members = await api.http.get('/api/v1/users').set(owner.headers).expect(200);
    expect(members.body.data.map((user: { email: string }) => user.email)).toEqual([owner.email]);
  });

  it('registers in an open tenant with its signup_role, never as owner, even when the first ones race, and emits user.registered', async () => {
    const first = await Promise.all([register('open-co', 'one@example.com'), register('open-co', 'two@example.com')]);
    expect(first.map((response) => [response.status, response.body.user.role])).toEqual([
      [201, 'viewer'],
      [201, 'viewer'],
    ]);
    expect(first[0].body).toEqual({
      user: {
        user_id: expect.stringMatching(/^[0-9a-f]{24}$/),
        email: 'one@example.com',
        name: 'Ada',
        role: 'viewer',
        created_at: expect.any(String),
      },
      access_token: expect.any(String),
    });
    const claims = await api.app.get(AccessTokenService).verify(first[0].body.access_token);
    expect(claims).toEqual({ sub: first[0].body.user.user_id, tenant_id: 'open-co', role: 'viewer', ver: 0 });
    const editor = await register('open-editors', 'Ed@Example.com').expect(201);
    expect(editor.body.user).toMatchObject({ email: 'ed@example.com', role: 'editor' });
    expect(emitted.find((event) => event.entity_id === editor.body.user.user_id)).toMatchObject({
      event_type: 'user.registered',
      tenant_id: 'open-editors',
      payload: { email: 'ed@example.com', role: 'editor' },
    });
  });

  it('keeps emails unique per tenant only', async () => {
    const duplicate = await register('open-co', 'ONE@example.com');
    expect([duplicate.status, duplicate.body.error]).toEqual([409, 'conflict']);
    await register('open-editors', 'one@example.com').expect(201);
  });

  it('refuses bad registrations with every problem at once, query operators and a role included', async () => {
    const bad = await api.http
      .post('/api/v1/auth/register')
      .set('x-tenant-id', 'open-co')
      .send({ email: { $gt: '' }, password: 'short', name: '', role: 'owner' });
    expect([bad.status, bad.body.error]).toEqual([400, 'validation_failed']);
    expect(new Set(bad.body.details.map((detail: { field: string }) => detail.field))).toEqual(
      new Set(['email', 'password', 'name', 'role']),
    );
  });

  it('logs in, and answers an unknown email exactly like a wrong password', async () => {
    await addMember(api, 'acme', 'ada@example.com', 'editor');
    const ok = await login('acme', 'ada@example.com', 'password-123').expect(200);
    expect(ok.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    await me(bearer(ok.body.access_token)).expect(200);
    const wrongPassword = await login('acme', 'ada@example.com', 'wrong-password');
    const unknownEmail = await login('acme', 'nobody@example.com', 'password-123');
    expect([wrongPassword.status, wrongPassword.body.error]).toEqual([401, 'invalid_credentials']);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    // A user of another tenant cannot log in here.
    await login('globex', 'ada@example.com', 'password-123').expect(401);
  });

  it('rate limits failed logins per tenant and email with Retry-After', async () => {
    await addMember(api, 'acme', 'carol@example.com', 'viewer');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await login('acme', 'carol@example.com', 'wrong-password').expect(401);
    }
    const limited = await login('acme', 'carol@example.com', 'password-123');
    expect([limited.status, limited.body.error]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another tenant's user with the same email is not affected.
    await addMember(api, 'globex', 'carol@example.com', 'viewer');
    await login('globex', 'carol@example.com', 'password-123').expect(200);
  });

  it('needs a token for users/me', async () => {
    const anonymous = await me({ 'x-tenant-id': 'acme' });
    expect([anonymous.status, anonymous.body.error]).toEqual([401, 'unauthorized']);
  });

  it('signs a v1 user in with a werkzeug or bcrypt hash, then replaces it by argon2id', async () => {
    const users = api.app.get<Model<User>>(getModelToken(User.name));
    const v1Hashes = {
      'werkzeug@acme.test':
        'scrypt:32768:8:1$YLWj5WXY8nLdxAZ8$5adf24e15a48b92612dce03c07114b2e7d6b67608594c235c40f5b1d5e80138914cc7c8f16d627514ef285d6bf2f3dc950449c78544bb09649c56409dc9a8fd5',
      'bcrypt@acme.test': '$2b$04$sSZdmjzvU3edThPTXFr.neDglzMUnzrtdUoEOEpGBsoJN1LEXeBTa',
    };
    for (const [email, hash] of Object.entries(v1Hashes)) {
      await addMember(api, 'acme', email, 'editor');
      const storedHash = () =>
        TenantContext.runForTenant('acme', async () => (await users.findOne({ email }).lean())?.password_hash);
      await TenantContext.runForTenant('acme', () => users.updateOne({ email }, { $set: { password_hash: hash } }));

      const wrong = await login('acme', email, 'not-the-v1-password');
      expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_credentials']);
      expect(await storedHash()).toBe(hash);
      await login('acme', email, 'v1-password').expect(200);
      expect(await storedHash()).toMatch(/^\$argon2id\$/);
      await login('acme', email, 'v1-password').expect(200);
    }
  });

  it('logs out: every token issued so far stops working, a new login works', async () => {
    const member = await addMember(api, 'acme', 'leaving@example.com', 'viewer');
    const second = await login('acme', 'leaving@example.com', 'password-123').expect(200);
    await api.http.post('/api/v1/auth/logout').set(member.headers).expect(204);
    for (const headers of [member.headers, bearer(second.body.access_token)]) {
      const refused = await me(headers);
      expect([refused.status, refused.body.error]).toEqual([401, 'unauthorized']);
    }
    const again = await login('acme', 'leaving@example.com', 'password-123').expect(200);
    await me(bearer(again.body.access_token)).expect(200);
  });

  it('changes a password: the current one is checked, earlier tokens stop working, the answer is a fresh token', async () => {
    const member = await addMember(api, 'acme', 'changer@example.com', 'viewer');
    const change = (body: object) => api.http.post('/api/v1/auth/password').set(member.headers).send(body);
    const wrong = await change({ current_password: 'not-it-at-all', new_password: 'new-password-1' });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_credentials']);
    const short = await change({ current_password: 'password-123', new_password: 'short' });
    expect([short.status, short.body.error]).toEqual([400, 'validation_failed']);
    const changed = await change({ current_password: 'password-123', new_password: 'new-password-1' }).expect(200);
    expect(changed.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    await me(member.headers).expect(401);
    await me(bearer(changed.body.access_token)).expect(200);
    await login('acme', 'changer@example.com', 'password-123').expect(401);
    await login('acme', 'changer@example.com', 'new-password-1').expect(200);
  });

  it('resets a password with a single-use link token minted at sending time, and says 202 for unknown emails too', async () => {
    const dave = await addMember(api, 'acme', 'dave@example.com', 'viewer');
    const requestReset = (email: string) =>
      api.http.post('/api/v1/auth/password-reset').set('x-tenant-id', 'acme').send({ email }).expect(202);
    await requestReset('nobody@example.com');
    await requestReset('dave@example.com');
    const requests = emitted.filter((event) => event.event_type === EventType.PasswordResetRequested);
    expect(requests).toHaveLength(1);
    // The event names the user and nothing else: no token exists yet.
    expect(requests[0]).toMatchObject({
      tenant_id: 'acme',
      entity_id: dave.user_id,
      payload: { user_id: dave.user_id },
    });
    expect(Object.keys(requests[0].payload)).toEqual(['user_id']);

    const resets = api.app.get(PasswordResetService);
    const email = await TenantContext.runForTenant('acme', () => resets.issueEmail(dave.user_id));
    expect(email?.link).toMatch(/^http:\/\/localhost:3000\/reset-password\?tenant=acme&token=[0-9a-f]{24}\./);
    const token = tokenOfLink(email?.link ?? '');

    const confirm = (body: object, tenant = 'acme') =>
      api.http.post('/api/v1/auth/password-reset/confirm').set('x-tenant-id', tenant).send(body);
    const elsewhere = await confirm({ token, password: 'new-password-1' }, 'globex');
    expect([elsewhere.status, elsewhere.body.error]).toEqual([400, 'invalid_token']);
    await confirm({ token, password: 'new-password-1' }).expect(204);
    await me(dave.headers).expect(401);
    await login('acme', 'dave@example.com', 'password-123').expect(401);
    await login('acme', 'dave@example.com', 'new-password-1').expect(200);
    const reused = await confirm({ token, password: 'new-password-2' });
    expect([reused.status, reused.body.error]).toEqual([400, 'invalid_token']);
    for (const garbage of ['garbage', `${dave.user_id}.not-the-secret`, '0123456789abcdef01234567.x']) {
      expect((await confirm({ token: garbage, password: 'new-password-2' })).body.error).toBe('invalid_token');
    }
  });
});
