import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Types } from 'mongoose';
import { ApiKey } from '../../src/modules/api-keys/api-key.schema.js';
import { addMember, bearer, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

const REQUESTS_PER_MINUTE = 10;

interface CreatedKey {
  api_key_id: string;
  key: string;
  headers: { authorization: string };
}

describe('API keys: made by owners, used wherever a JWT works, revoked everywhere within a second', () => {
  let api: E2eApp;
  let replica: E2eApp;
  let owner: SignedInUser;
  let globexOwner: SignedInUser;

  const stored = () => api.app.get<Model<ApiKey>>(getModelToken(ApiKey.name)).collection;

  const createKey = async (
    role: 'viewer' | 'editor' | 'owner',
    extra: object = {},
    by: SignedInUser = owner,
  ): Promise<CreatedKey> => {
    const created = await api.http
      .post('/api/v1/api-keys')
      .set(by.headers)
      .send({ name: `${role} key`, role, ...extra })
      .expect(201);
    return { api_key_id: created.body.api_key_id, key: created.body.key, headers: bearer(created.body.key) };
  };

  const listed = async (apiKeyId: string) => {
    const list = await api.http.get('/api/v1/api-keys').set(owner.headers).expect(200);
    return (list.body.data as Array<Record<string, unknown>>).find((key) => key.api_key_id === apiKeyId);
  };

  beforeAll(async () => {
    useTestEnvironment('api-keys', { LOG_LEVEL: 'error', API_KEY_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE) });
    api = await createE2eApp();
    replica = await createE2eApp();
    await createTenant(api, 'acme');
    await createTenant(api, 'globex');
    owner = await addMember(api, 'acme');
    globexOwner = await addMember(api, 'globex');
  });

  afterAll(async () => {
    await replica.app.close();
    await api.close();
  });

  it('creates a key shown once (fbk_, 32+ random bytes), lists it without the key, stores only its hash, revokes it', async () => {
    const created = await api.http
      .post('/api/v1/api-keys')
      .set(owner.headers)
      .send({ name: 'CRM sync', role: 'editor' })
      .expect(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^fbk_[A-Za-z0-9_-]{43,}$/);
    expect(created.body).toEqual({
      api_key_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'CRM sync',
      role: 'editor',
      prefix: key.slice(0, 12),
      expires_at: null,
      last_used_at: null,
      created_by: owner.user_id,
      created_at: expect.any(String),
      key,
    });

    const withoutKey: Record<string, unknown> = { ...created.body };
    delete withoutKey.key;
    expect(await listed(created.body.api_key_id)).toEqual(withoutKey);

    const documents = JSON.stringify(await stored().find({}).toArray());
    expect(documents).not.toContain(key);
    expect(documents).not.toContain(key.slice(12));
    expect(documents).toContain(createHash('sha256').update(key).digest('hex'));

    await api.http.get('/api/v1/forms').set(bearer(key)).expect(200);
    await api.http.delete(`/api/v1/api-keys/${created.body.api_key_id}`).set(owner.headers).expect(204);
    expect(await listed(created.body.api_key_id)).toBeUndefined();
    const again = await api.http.get('/api/v1/forms').set(bearer(key));
    expect([again.status, again.body.error]).toEqual([401, 'unauthorized']);
    await api.http.delete(`/api/v1/api-keys/${created.body.api_key_id}`).set(owner.headers).expect(404);
  });

  it('validates the request: role, name, unknown keys, an expiry in the past', async () => {
    for (const body of [
      { name: 'x', role: 'admin' },
      { role: 'viewer' },
      { name: 'x', role: 'viewer', extra: true },
      { name: 'x', role: 'viewer', expires_at: new Date(Date.now() - 60_000).toISOString() },
      { name: 'x', role: 'viewer', expires_at: 'tomorrow' },
    ]) {
      const refused = await api.http.post('/api/v1/api-keys').set(owner.headers).send(body);
      expect([refused.status, refused.body.error]).toEqual([400, 'validation_failed']);
    }
  });

  it("acts with the key's role: a viewer key reads and is refused changes; an editor key's form belongs to the key's maker", async () => {
    const viewer = await createKey('viewer');
    await api.http.get('/api/v1/forms').set(viewer.headers).expect(200);
    await api.http.get('/api/v1/users').set(viewer.headers).expect(200);
    const refused = await api.http.post('/api/v1/forms').set(viewer.headers).send({ title: 'Nope' });
    expect([refused.status, refused.body.error]).toEqual([403, 'forbidden']);
    const webhooks = await api.http.get('/api/v1/webhooks').set(viewer.headers);
    expect(webhooks.status).toBe(403);

    const editor = await createKey('editor');
    const form = await api.http.post('/api/v1/forms').set(editor.headers).send({ title: 'By key' }).expect(201);
    expect(form.body.owner_id).toBe(owner.user_id);
  });

  it('stamps the events a key causes with user_id null and metadata.api_key_id', async () => {
    const editor = await createKey('editor');
    const form = await api.http.post('/api/v1/forms').set(editor.headers).send({ title: 'Audited' }).expect(201);
    const events = await eventually(
      async () =>
        (await api.http.get(`/api/v1/events?entity_id=${form.body.form_id}`).set(owner.headers).expect(200)).body
          .data as Array<Record<string, unknown>>,
      (data) => data.length > 0,
    );
    expect(events[0]).toMatchObject({
      event_type: 'form.created',
      user_id: null,
      metadata: { api_key_id: editor.api_key_id, source: 'api' },
    });
  });

  it('lets an owner key manage members and invite, as the tenant', async () => {
    const ownerKey = await createKey('owner');
    const member = await addMember(api, 'acme', 'promoted@acme.test', 'viewer');
    const changed = await api.http
      .patch(`/api/v1/users/${member.user_id}`)
      .set(ownerKey.headers)
      .send({ role: 'editor' })
      .expect(200);
    expect(changed.body.role).toBe('editor');
    const invitation = await api.http
      .post('/api/v1/invitations')
      .set(ownerKey.headers)
      .send({ email: 'new@acme.test', role: 'viewer' })
      .expect(201);
    expect(invitation.body.invited_by).toBeNull();
  });

  it("answers another tenant's key id as a missing one, and refuses an X-Tenant-ID that differs", async () => {
    const key = await createKey('viewer');
    const foreign = await api.http.delete(`/api/v1/api-keys/${key.api_key_id}`).set(globexOwner.headers);
    const missing = await api.http
      .delete(`/api/v1/api-keys/${new Types.ObjectId().toHexString()}`)
      .set(globexOwner.headers);
    expect([foreign.status, foreign.body]).toEqual([404, missing.body]);
    expect(await listed(key.api_key_id)).toBeDefined();

    const mismatch = await api.http.get('/api/v1/forms').set(key.headers).set('x-tenant-id', 'globex');
    expect([mismatch.status, mismatch.body.error]).toEqual([403, 'tenant_mismatch']);
    await api.http.get('/api/v1/forms').set(key.headers).set('x-tenant-id', 'acme').expect(200);
  });

  it('refuses an unknown or expired key with 401', async () => {
    const unknown = await api.http.get('/api/v1/forms').set(bearer(`fbk_${'A'.repeat(43)}`));
    expect([unknown.status, unknown.body.error]).toEqual([401, 'unauthorized']);

    const expiring = await createKey('viewer', { expires_at: new Date(Date.now() + 1_500).toISOString() });
    await api.http.get('/api/v1/forms').set(expiring.headers).expect(200);
    await sleep(1_600);
    const expired = await api.http.get('/api/v1/forms').set(expiring.headers);
    expect([expired.status, expired.body.error]).toEqual([401, 'unauthorized']);
  });

  it('refuses a revoked key on a second replica within 1 s', async () => {
    const key = await createKey('viewer');
    // The replica has the key cached: the revocation has to reach it.
    await replica.http.get('/api/v1/forms').set(key.headers).expect(200);
    await api.http.delete(`/api/v1/api-keys/${key.api_key_id}`).set(owner.headers).expect(204);
    const started = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - started < 1_000) {
      status = (await replica.http.get('/api/v1/forms').set(key.headers)).status;
    }
    expect(status).toBe(401);
  });

  it('answers an API key with 403 on the routes about the calling user and on key management', async () => {
    const key = await createKey('owner');
    for (const [method, path] of [
      ['get', '/api/v1/users/me'],
      ['post', '/api/v1/auth/password'],
      ['post', '/api/v1/auth/logout'],
      ['get', '/api/v1/api-keys'],
      ['post', '/api/v1/api-keys'],
      ['delete', `/api/v1/api-keys/${key.api_key_id}`],
    ] as const) {
      const refused = await api.http[method](path).set(key.headers).send({});
      expect([path, refused.status, refused.body.error]).toEqual([path, 403, 'forbidden']);
    }
  });

  it('rate-limits each key on its own (429 with Retry-After)', async () => {
    const busy = await createKey('viewer');
    for (let call = 0; call < REQUESTS_PER_MINUTE; call++) {
      await api.http.get('/api/v1/forms').set(busy.headers).expect(200);
    }
    const limited = await replica.http.get('/api/v1/forms').set(busy.headers);
    expect([limited.status, limited.body.error]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await createKey('viewer');
    await api.http.get('/api/v1/forms').set(other.headers).expect(200);
    await api.http.get('/api/v1/forms').set(owner.headers).expect(200);
  });

  it('records last_used_at at most once a minute per key, across replicas', async () => {
    const key = await createKey('viewer');
    await api.http.get('/api/v1/forms').set(key.headers).expect(200);
    const first = (await listed(key.api_key_id))?.last_used_at as string;
    expect(Date.parse(first)).toBeGreaterThan(Date.now() - 10_000);
    await sleep(20);
    await api.http.get('/api/v1/forms').set(key.headers).expect(200);
    await replica.http.get('/api/v1/forms').set(key.headers).expect(200);
    expect((await listed(key.api_key_id))?.last_used_at).toBe(first);

    // A minute later (as the store sees it), the next use on a replica that never cached it is recorded.
    const minuteAgo = new Date(Date.parse(first) - 61_000);
    await stored().updateOne({ _id: new Types.ObjectId(key.api_key_id) }, { $set: { last_used_at: minuteAgo } });
    const fresh = await createE2eApp();
    try {
      await fresh.http.get('/api/v1/forms').set(key.headers).expect(200);
    } finally {
      await fresh.app.close();
    }
    expect(Date.parse((await listed(key.api_key_id))?.last_used_at as string)).toBeGreaterThan(minuteAgo.getTime());
  });

  it('documents the routes and a bearer scheme that takes a JWT or an API key', async () => {
    const { paths, components } = (await api.http.get('/docs-json').expect(200)).body;
    expect(components.securitySchemes.bearer.description).toContain('API key');
    const create = paths['/api/v1/api-keys'].post;
    expect(create.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreatedApiKeyDto',
    });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
    expect(components.schemas.CreatedApiKeyDto.required).toEqual(
      expect.arrayContaining(['api_key_id', 'prefix', 'last_used_at', 'created_by', 'key']),
    );
    expect(Object.keys(paths['/api/v1/api-keys'].get.responses)).toContain('200');
    expect(Object.keys(paths['/api/v1/api-keys/{api_key_id}'].delete.responses)).toEqual(
      expect.arrayContaining(['204', '404']),
    );
  });

  it('holds a tenant to 50 keys (quota_exceeded)', async () => {
    await createTenant(api, 'quota');
    const quotaOwner = await addMember(api, 'quota');
    for (let made = 0; made < 50; made++) {
      await api.http
        .post('/api/v1/api-keys')
        .set(quotaOwner.headers)
        .send({ name: `k${made}`, role: 'viewer' })
        .expect(201);
    }
    const refused = await api.http
      .post('/api/v1/api-keys')
      .set(quotaOwner.headers)
      .send({ name: 'k50', role: 'viewer' });
    expect([refused.status, refused.body.error]).toEqual([403, 'quota_exceeded']);
    const list = await api.http.get('/api/v1/api-keys').set(quotaOwner.headers).expect(200);
    expect(list.body.data).toHaveLength(50);
  });
});
