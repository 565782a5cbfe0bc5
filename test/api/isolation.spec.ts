import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createForm, createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** Tenant A's resources that tenant B aims at. */
interface Targets {
  formId: string;
  responseId: string;
  fileId: string;
  webhookId: string;
  eventId: string;
  exportId: string;
  userId: string;
  invitationId: string;
  apiKeyId: string;
}

interface Attempt {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: (a: Targets) => string;
  body?: (a: Targets) => object;
  /** Open to anonymous callers who name a tenant (the rest need a token: 401 without one). */
  anonymous?: boolean;
  /** Needs a member's JWT: an API key is refused (403) before any tenant's data is looked at. */
  membersOnly?: boolean;
}

/**
 * Every tenant-scoped endpoint that takes an id. Extend it with each new one: tenant B, with its own
 * valid token (and with its own API key), must get the same 404 as for a missing document, and a 403
 * when it names tenant A.
 */
const ATTEMPTS: Attempt[] = [
  { name: 'get a form', method: 'get', path: (a) => `/api/v1/forms/${a.formId}` },
  {
    name: 'update a form',
    method: 'patch',
    path: (a) => `/api/v1/forms/${a.formId}`,
    body: () => ({ title: 'Taken over' }),
  },
  { name: 'publish a form', method: 'post', path: (a) => `/api/v1/forms/${a.formId}/publish` },
  { name: 'archive a form', method: 'post', path: (a) => `/api/v1/forms/${a.formId}/archive` },
  { name: "list a form's versions", method: 'get', path: (a) => `/api/v1/forms/${a.formId}/versions` },
  { name: 'view a public form', method: 'get', path: (a) => `/api/v1/forms/${a.formId}/public`, anonymous: true },
  {
    name: 'submit to a form',
    method: 'post',
    path: (a) => `/api/v1/forms/${a.formId}/submit`,
    body: () => ({ data: { email: 'intruder@example.com' } }),
    anonymous: true,
  },
  { name: "list a form's responses", method: 'get', path: (a) => `/api/v1/forms/${a.formId}/responses` },
  { name: 'get a response', method: 'get', path: (a) => `/api/v1/responses/${a.responseId}` },
  {
    name: 'update a response',
    method: 'patch',
    path: (a) => `/api/v1/responses/${a.responseId}`,
    body: () => ({ data: { email: 'intruder@example.com' } }),
  },
  { name: 'mark a response not spam', method: 'post', path: (a) => `/api/v1/responses/${a.responseId}/not-spam` },
  { name: 'delete a response', method: 'delete', path: (a) => `/api/v1/responses/${a.responseId}` },
  { name: 'delete a form', method: 'delete', path: (a) => `/api/v1/forms/${a.formId}` },
  { name: 'download a file', method: 'get', path: (a) => `/api/v1/files/${a.fileId}` },
  {
    name: 'export the responses of a form',
    method: 'post',
    path: (a) => `/api/v1/forms/${a.formId}/exports`,
    body: () => ({ format: 'csv' }),
  },
  {
    name: 'invite someone to a form',
    method: 'post',
    path: (a) => `/api/v1/forms/${a.formId}/invitations`,
    body: () => ({ email: 'intruder@example.com', role: 'editor' }),
  },
  { name: 'get an export', method: 'get', path: (a) => `/api/v1/exports/${a.exportId}` },
  { name: 'download an export', method: 'get', path: (a) => `/api/v1/exports/${a.exportId}/download` },
  { name: 'get a webhook', method: 'get', path: (a) => `/api/v1/webhooks/${a.webhookId}` },
  {
    name: 'change a webhook',
    method: 'patch',
    path: (a) => `/api/v1/webhooks/${a.webhookId}`,
    body: () => ({ enabled: false }),
  },
  {
    name: "retry a webhook's failed deliveries",
    method: 'post',
    path: (a) => `/api/v1/webhooks/${a.webhookId}/deliveries/retry`,
    body: () => ({ status: 'failed' }),
  },
  { name: 'delete a webhook', method: 'delete', path: (a) => `/api/v1/webhooks/${a.webhookId}` },
  { name: "list a webhook's deliveries", method: 'get', path: (a) => `/api/v1/webhooks/${a.webhookId}/deliveries` },
  {
    name: "change a member's role",
    method: 'patch',
    path: (a) => `/api/v1/users/${a.userId}`,
    body: () => ({ role: 'owner' }),
  },
  { name: 'remove a member', method: 'delete', path: (a) => `/api/v1/users/${a.userId}` },
  { name: 'revoke an invitation', method: 'delete', path: (a) => `/api/v1/invitations/${a.invitationId}` },
  {
    name: 'revoke an API key',
    method: 'delete',
    path: (a) => `/api/v1/api-keys/${a.apiKeyId}`,
    membersOnly: true,
  },
  {
    name: 'retry a webhook delivery',
    method: 'post',
    path: (a) => `/api/v1/webhooks/${a.webhookId}/deliveries/${a.eventId}/retry`,
  },
];

describe('tenant isolation over every tenant-scoped endpoint', () => {
  let api: E2eApp;
  let ownerA: SignedInUser;
  let ownerB: SignedInUser;
  let targets: Targets;
  const missing: Targets = {
    formId: '0123456789abcdef01234567',
    responseId: '0123456789abcdef01234567',
    fileId: '0123456789abcdef01234567',
    webhookId: '0123456789abcdef01234567',
    eventId: '00000000-0000-4000-8000-000000000000',
    exportId: '0123456789abcdef01234567',
    userId: '0123456789abcdef01234567',
    invitationId: '0123456789abcdef01234567',
    apiKeyId: '0123456789abcdef01234567',
  };
  /** Tenant B's own owner API key: as strong as B's owner, and no further. */
  let keyB: { authorization: string };

  const send = (attempt: Attempt, ids: Targets, headers: Record<string, string>) => {
    const request = api.http[attempt.method](attempt.path(ids)).set(headers);
    return attempt.body ? request.send(attempt.body(ids)) : request;
  };

  /** Everything tenant A can see of its own data, to compare before and after B's attempts. */
  const snapshotOfA = async () => {
    const get = async (path: string) => (await api.http.get(path).set(ownerA.headers).expect(200)).body;
    const file = await api.http.get(`/api/v1/files/${targets.fileId}`).set(ownerA.headers).expect(200);
    return {
      forms: await get('/api/v1/forms'),
      form: await get(`/api/v1/forms/${targets.formId}`),
      versions: await get(`/api/v1/forms/${targets.formId}/versions`),
      responses: await get(`/api/v1/forms/${targets.formId}/responses`),
      response: await get(`/api/v1/responses/${targets.responseId}`),
      file: file.text,
      webhooks: await get('/api/v1/webhooks'),
      deliveries: await get(`/api/v1/webhooks/${targets.webhookId}/deliveries`),
      export: await get(`/api/v1/exports/${targets.exportId}`),
      members: await get('/api/v1/users'),
      invitations: await get('/api/v1/invitations'),
      tenant: await get('/api/v1/tenant'),
      apiKeys: await get('/api/v1/api-keys'),
    };
  };

  beforeAll(async () => {
    useTestEnvironment('isolation', { LOG_LEVEL: 'error' });
    api = await createE2eApp();
    await createTenant(api, 'tenant-a', { features: { webhooks: true } });
    await createTenant(api, 'tenant-b', { features: { webhooks: true } });
    ownerA = await addMember(api, 'tenant-a', 'owner@example.com');
    ownerB = await addMember(api, 'tenant-b', 'owner@example.com');
    const webhook = await api.http
      .post('/api/v1/webhooks')
      .set(ownerA.headers)
      .send({ url: 'http://93.184.216.34/hooks', events: ['response.submitted'] })
      .expect(201);
    const formId = await createForm(api, ownerA, { title: 'Secret survey' });
    const submitted = await api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'tenant-a')
      .send({ data: { email: 'a@example.com' } })
      .expect(201);
    const file = await api.http
      .post('/api/v1/files')
      .set(ownerA.headers)
      .attach('file', Buffer.from('tenant A secret'), 'secret.txt')
      .expect(201);
    const webhookId: string = webhook.body.webhook_id;
    const deliveries = await eventually(
      async () =>
        (await api.http.get(`/api/v1/webhooks/${webhookId}/deliveries`).set(ownerA.headers)).body.data as {
          event_id: string;
        }[],
      (data) => data.length === 1,
    );
    const exported = await api.http
      .post(`/api/v1/forms/${formId}/exports`)
      .set(ownerA.headers)
      .send({ format: 'csv' })
      .expect(202);
    const invitation = await api.http
      .post('/api/v1/invitations')
      .set(ownerA.headers)
      .send({ email: 'invited@example.com', role: 'editor' })
      .expect(201);
    const viewerA = await addMember(api, 'tenant-a', 'viewer@example.com', 'viewer');
    const apiKey = await api.http
      .post('/api/v1/api-keys')
      .set(ownerA.headers)
      .send({ name: 'A key', role: 'owner' })
      .expect(201);
    const created = await api.http
      .post('/api/v1/api-keys')
      .set(ownerB.headers)
      .send({ name: 'B key', role: 'owner' })
      .expect(201);
    keyB = bearer(created.body.key);
    targets = {
      apiKeyId: apiKey.body.api_key_id,
      userId: viewerA.user_id,
      invitationId: invitation.body.invitation_id,
      exportId: exported.body.export_id,
      formId,
      responseId: submitted.body.response_id,
      fileId: file.body.file_id,
      webhookId,
      eventId: deliveries[0].event_id,
    };
  });

  afterAll(() => api.close());

  it.each(ATTEMPTS.map((attempt) => [attempt.name, attempt] as const))(
    'tenant B: %s of tenant A → 404 exactly like a missing one',
    async (_name, attempt) => {
      const before = await snapshotOfA();
      const foreign = await send(attempt, targets, ownerB.headers);
      const absent = await send(attempt, missing, ownerB.headers);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(absent.body);
      const byHeader = await send(attempt, targets, { 'x-tenant-id': 'tenant-b' });
      expect(byHeader.status).toBe(attempt.anonymous ? 404 : 401);
      const naming = await send(attempt, targets, { ...ownerB.headers, 'x-tenant-id': 'tenant-a' });
      expect([naming.status, naming.body.error]).toEqual([403, 'tenant_mismatch']);
      if (!attempt.membersOnly) {
        const byKey = await send(attempt, targets, keyB);
        expect([byKey.status, byKey.body]).toEqual([404, (await send(attempt, missing, keyB)).body]);
      }
      const keyNaming = await send(attempt, targets, { ...keyB, 'x-tenant-id': 'tenant-a' });
      expect([keyNaming.status, keyNaming.body.error]).toEqual([403, 'tenant_mismatch']);
      expect(await snapshotOfA()).toEqual(before);
    },
  );

  it("never shows tenant A's events in tenant B's audit log, even asked by A's entity ids", async () => {
    for (const entity_id of [targets.formId, targets.responseId]) {
      const page = await api.http.get('/api/v1/events').query({ entity_id }).set(ownerB.headers).expect(200);
      expect(page.body).toEqual({ data: [], next_cursor: null });
    }
    const all = await api.http.get('/api/v1/events').query({ limit: 100 }).set(ownerB.headers).expect(200);
    expect(all.body.data.map((event: { tenant_id: string }) => event.tenant_id)).not.toContain('tenant-a');
    const own = await api.http.get('/api/v1/events').query({ entity_id: targets.formId }).set(ownerA.headers);
    expect(own.body.data.length).toBeGreaterThan(0);
  });

  it("never lists tenant A's forms to tenant B", async () => {
    await createForm(api, ownerB, { title: 'B survey' });
    const list = await api.http.get('/api/v1/forms').set(ownerB.headers).expect(200);
    expect(list.body.data.map((form: { title: string }) => form.title)).toEqual(['B survey']);
  });

  it("refuses tenant A's file_id in tenant B's submission body", async () => {
    const formB = await createForm(api, ownerB, {
      title: 'B upload',
      fields: [{ key: 'cv', type: 'file', label: 'CV', required: true }],
    });
    const refused = await api.http
      .post(`/api/v1/forms/${formB}/submit`)
      .set('x-tenant-id', 'tenant-b')
      .send({ data: { cv: targets.fileId } });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ field: 'data.cv', message: 'is not a file of this tenant' }]);
  });

  it("keeps tenant A's users out of tenant B: same email, separate accounts", async () => {
    const me = await api.http.get('/api/v1/users/me').set(ownerB.headers).expect(200);
    expect(me.body.user_id).toBe(ownerB.user_id);
    expect(me.body.user_id).not.toBe(ownerA.user_id);
  });

  it("never lists tenant A's members, invitations or settings to tenant B", async () => {
    const members = await api.http.get('/api/v1/users').set(ownerB.headers).expect(200);
    expect(members.body.data.map((user: { user_id: string }) => user.user_id)).toEqual([ownerB.user_id]);
    const invitations = await api.http.get('/api/v1/invitations').set(ownerB.headers).expect(200);
    // Only B's own (accepted) owner invitation; A's pending one stays out.
    expect(invitations.body.data.map((invitation: { email: string }) => invitation.email)).toEqual([
      'owner@example.com',
    ]);
    const tenant = await api.http.get('/api/v1/tenant').set(ownerB.headers).expect(200);
    expect(tenant.body.tenant_id).toBe('tenant-b');
  });
});
