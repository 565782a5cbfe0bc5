import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AccessTokenService } from '../../src/infrastructure/auth/access-token.service.js';
import { EventType, InternalEvent, type PasswordResetRequested } from '../../src/modules/events/event.types.js';
import { bearer, createTenant, registerUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

describe('auth and users', () => {
  let api: E2eApp;
  const emitted: { type: string; event: Record<string, unknown> }[] = [];

  const login = (tenant: string, email: string, password: string) =>
    api.http.post('/api/v1/auth/login').set('x-tenant-id', tenant).send({ email, password });

  beforeAll(async () => {
    useTestEnvironment('auth', { LOG_LEVEL: 'error', LOGIN_MAX_FAILURES_PER_EMAIL: '3' });
    api = await createE2eApp();
    const emitter = api.app.get(EventEmitter2);
    for (const type of [EventType.UserRegistered, InternalEvent.PasswordResetRequested]) {
      emitter.on(type, (event: Record<string, unknown>) => emitted.push({ type, event }));
    }
    await createTenant(api, 'acme');
    await createTenant(api, 'globex');
  });

  afterAll(() => api.close());

  it('registers the first user of a tenant as owner, later ones as editors, and emits user.registered', async () => {
    const first = await api.http
      .post('/api/v1/auth/register')
      .set('x-tenant-id', 'acme')
      .send({ email: 'Ada@Example.com', password: 'password-123', name: 'Ada' })
      .expect(201);
    expect(first.body).toEqual({
      user: {
        user_id: expect.stringMatching(/^[0-9a-f]{24}$/),
        email: 'ada@example.com',
        name: 'Ada',
        role: 'owner',
        created_at: expect.any(String),
      },
      access_token: expect.any(String),
    });
    const claims = await api.app.get(AccessTokenService).verify(first.body.access_token);
    expect(claims).toEqual({ sub: first.body.user.user_id, tenant_id: 'acme', role: 'owner' });
    const second = await registerUser(api, 'acme', 'bob@example.com');
    const me = await api.http.get('/api/v1/users/me').set(second.headers).expect(200);
    expect(me.body).toMatchObject({ email: 'bob@example.com', role: 'editor' });
    const registered = emitted.find(
      (entry) => entry.type === EventType.UserRegistered && entry.event.entity_id === first.body.user.user_id,
    );
    expect(registered?.event).toMatchObject({
      event_type: 'user.registered',
      tenant_id: 'acme',
      payload: { email: 'ada@example.com', role: 'owner' },
    });
  });

  it('keeps emails unique per tenant only', async () => {
    const duplicate = await api.http
      .post('/api/v1/auth/register')
      .set('x-tenant-id', 'acme')
      .send({ email: 'ADA@example.com', password: 'password-123', name: 'Ada again' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toBe('conflict');
    const elsewhere = await registerUser(api, 'globex', 'ada@example.com');
    const me = await api.http.get('/api/v1/users/me').set(elsewhere.headers).expect(200);
    expect(me.body).toMatchObject({ email: 'ada@example.com', role: 'owner' });
  });

  it('refuses bad registrations with every problem at once, query operators included', async () => {
    const bad = await api.http
      .post('/api/v1/auth/register')
      .set('x-tenant-id', 'acme')
      .send({ email: { $gt: '' }, password: 'short', name: '', role: 'owner' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_failed');
    expect(new Set(bad.body.details.map((detail: { field: string }) => detail.field))).toEqual(
      new Set(['email', 'password', 'name', 'role']),
    );
  });

  it('logs in, and answers an unknown email exactly like a wrong password', async () => {
    const ok = await login('acme', 'ada@example.com', 'password-123').expect(200);
    expect(ok.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    await api.http.get('/api/v1/users/me').set(bearer(ok.body.access_token)).expect(200);
    const wrongPassword = await login('acme', 'ada@example.com', 'wrong-password');
    const unknownEmail = await login('acme', 'nobody@example.com', 'password-123');
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(wrongPassword.body.error).toBe('invalid_credentials');
    // A user of another tenant cannot log in here.
    await login('globex', 'bob@example.com', 'password-123').expect(401);
  });

  it('rate limits failed logins per tenant and email with Retry-After', async () => {
    await registerUser(api, 'acme', 'carol@example.com');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await login('acme', 'carol@example.com', 'wrong-password').expect(401);
    }
    const limited = await login('acme', 'carol@example.com', 'password-123');
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another tenant's user with the same email is not affected.
    await registerUser(api, 'globex', 'carol@example.com');
    await login('globex', 'carol@example.com', 'password-123').expect(200);
  });

  it('needs a token for users/me', async () => {
    const anonymous = await api.http.get('/api/v1/users/me').set('x-tenant-id', 'acme');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('unauthorized');
  });

  it('resets a password with a single-use token, and says 202 for unknown emails too', async () => {
    await registerUser(api, 'acme', 'dave@example.com');
    await api.http
      .post('/api/v1/auth/password-reset')
      .set('x-tenant-id', 'acme')
      .send({ email: 'nobody@example.com' })
      .expect(202);
    await api.http
      .post('/api/v1/auth/password-reset')
      .set('x-tenant-id', 'acme')
      .send({ email: 'dave@example.com' })
      .expect(202);
    const requests = emitted.filter((entry) => entry.type === InternalEvent.PasswordResetRequested);
    expect(requests).toHaveLength(1);
    const { token, email, tenant_id } = requests[0].event as unknown as PasswordResetRequested;
    expect({ email, tenant_id }).toEqual({ email: 'dave@example.com', tenant_id: 'acme' });

    const confirm = (body: object, tenant = 'acme') =>
      api.http.post('/api/v1/auth/password-reset/confirm').set('x-tenant-id', tenant).send(body);
    const elsewhere = await confirm({ token, password: 'new-password-1' }, 'globex');
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error).toBe('invalid_token');
    await confirm({ token, password: 'new-password-1' }).expect(204);
    await login('acme', 'dave@example.com', 'password-123').expect(401);
    await login('acme', 'dave@example.com', 'new-password-1').expect(200);
    const reused = await confirm({ token, password: 'new-password-2' });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_token');
    expect((await confirm({ token: 'garbage', password: 'new-password-2' })).body.error).toBe('invalid_token');
  });
});
