import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AccessTokenService } from '../../src/infrastructure/auth/access-token.service.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { TenantResolver } from '../../src/modules/tenants/tenant-resolver.js';
import { addMember } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { TEST_ADMIN_KEY, useTestEnvironment } from '../support/test-environment.js';

/** Answers with what the tenant guard put in the context. */
@Controller('probe')
class ProbeController {
  @Get()
  whoAmI() {
    return { tenant_id: TenantContext.tenantId(), actor: TenantContext.actor() ?? null };
  }
}

describe('tenants: admin API and resolution', () => {
  let api: E2eApp;
  let tokens: AccessTokenService;

  const admin = () => ({ 'x-admin-key': TEST_ADMIN_KEY });
  const owners = new Map<string, string>();
  const token = (tenant_id: string) =>
    tokens.sign({ sub: owners.get(tenant_id) ?? 'no-such-user', tenant_id, role: 'owner', ver: 0 });

  beforeAll(async () => {
    useTestEnvironment('tenants', { LOG_LEVEL: 'error' });
    api = await createE2eApp([ProbeController]);
    tokens = api.app.get(AccessTokenService);
    for (const tenant_id of ['acme', 'globex']) {
      await api.http.post('/api/v1/admin/tenants').set(admin()).send({ tenant_id, name: tenant_id }).expect(201);
      owners.set(tenant_id, (await addMember(api, tenant_id)).user_id);
    }
  });

  afterAll(() => api.close());

  describe('admin API', () => {
    it('creates a tenant with the default settings', async () => {
      const created = await api.http
        .post('/api/v1/admin/tenants')
        .set(admin())
        .send({ tenant_id: 'initech', name: 'Initech', settings: { max_forms: 5 } })
        .expect(201);
      expect(created.body).toEqual({
        tenant_id: 'initech',
        name: 'Initech',
        status: 'active',
        settings: {
          max_forms: 5,
          max_responses_per_form: 10000,
          features: { workflows: false, ai_generation: false, webhooks: false },
          max_webhooks: 10,
          registration: 'invite_only',
          signup_role: 'viewer',
          allowed_origins: [],
          response_retention_days: null,
          spam_retention_days: 30,
        },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
    });

    it('answers 409 for a taken tenant_id and 400 for a malformed one', async () => {
      const duplicate = await api.http
        .post('/api/v1/admin/tenants')
        .set(admin())
        .send({ tenant_id: 'acme', name: 'x' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error).toBe('conflict');
      const malformed = await api.http.post('/api/v1/admin/tenants').set(admin()).send({ tenant_id: 'A!', name: '' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.details.map((detail: { field: string }) => detail.field).sort()).toEqual([
        'name',
        'tenant_id',
      ]);
    });

    it('lists and gets tenants, with the default tenant created at start-up', async () => {
      const list = await api.http.get('/api/v1/admin/tenants').set(admin()).expect(200);
      expect(list.body.data.map((tenant: { tenant_id: string }) => tenant.tenant_id)).toEqual(
        expect.arrayContaining(['acme', 'default', 'globex']),
      );
      await api.http.get('/api/v1/admin/tenants/acme').set(admin()).expect(200);
      const missing = await api.http.get('/api/v1/admin/tenants/nope').set(admin()).expect(404);
      expect(missing.body.error).toBe('not_found');
    });

    it('patches name and a single nested setting, keeping the others', async () => {
      const patched = await api.http
        .patch('/api/v1/admin/tenants/globex')
        .set(admin())
        .send({ name: 'Globex Corp', settings: { features: { webhooks: true } } })
        .expect(200);
      expect(patched.body).toMatchObject({
        name: 'Globex Corp',
        settings: { max_forms: 100, features: { webhooks: true, workflows: false } },
      });
    });

    it('refuses null for a setting that has no null (found by the api-fuzz drill: it was a 500)', async () => {
      const refused = await api.http
        .patch('/api/v1/admin/tenants/globex')
        .set(admin())
        .send({ settings: { max_webhooks: null, response_retention_days: null } })
        .expect(400);
      const details = refused.body.details as { field: string; message: string }[];
      expect(new Set(details.map((detail) => detail.field))).toEqual(new Set(['settings.max_webhooks']));
      expect(details).toContainEqual({
        field: 'settings.max_webhooks',
        message: 'max_webhooks must be an integer number',
      });
      const kept = await api.http.get('/api/v1/admin/tenants/globex').set(admin()).expect(200);
      expect(kept.body.settings).toMatchObject({ max_webhooks: 10 });
    });

    it('refuses requests without the admin key', async () => {
      await api.http.get('/api/v1/admin/tenants').expect(401);
      await api.http.post('/api/v1/admin/tenants').set('x-admin-key', 'wrong').send({}).expect(401);
    });
  });

  it('scopes every model with a tenant_id path; only the tenant registry opts out', () => {
    const connection = api.app.get<Connection>(getConnectionToken());
    const models = Object.values(connection.models).filter((model) => model.schema.path('tenant_id'));
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      const expected = model.modelName === 'Tenant' ? false : true;
      expect({ model: model.modelName, tenantScoped: model.schema.get('tenantScoped' as never) }).toEqual({
        model: model.modelName,
        tenantScoped: expected,
      });
    }
  });

  it('prefixes every index of a tenant-scoped model with tenant_id (system_ ones aside), and builds them', async () => {
    const connection = api.app.get<Connection>(getConnectionToken());
    const scoped = Object.values(connection.models).filter((model) => model.schema.get('tenantScoped' as never));
    for (const model of scoped) {
      const declared = model.schema.indexes();
      expect({ model: model.modelName, declared: declared.length > 0 }).toEqual({
        model: model.modelName,
        declared: true,
      });
      // `system_` names the few indexes that serve deliberate cross-tenant scans (the event relay).
      const tenantIndexes = declared.filter(([, options]) => !String(options.name).startsWith('system_'));
      for (const [keys] of tenantIndexes) {
        expect({ model: model.modelName, first: Object.keys(keys)[0] }).toEqual({
          model: model.modelName,
          first: 'tenant_id',
        });
      }
      await model.init();
      const built = (await model.listIndexes()).map((index: { key: Record<string, number> }) => index.key);
      for (const [keys] of declared) expect(built).toContainEqual(keys);
    }
    const uniques = scoped.flatMap((model) =>
      model.schema
        .indexes()
        .filter(([, options]) => options.unique)
        .map(([keys]) => `${model.collection.collectionName}(${Object.keys(keys).join(',')})`),
    );
    expect(uniques.sort()).toEqual([
      'api_keys(key_hash)',
      'blobs.chunks(tenant_id,files_id,n)',
      'form_responses(tenant_id,form_id,dedup_key)',
      'form_versions(tenant_id,form_id,version)',
      'forms(tenant_id,slug)',
      'users(tenant_id,email)',
      'webhook_deliveries(tenant_id,webhook_id,event_id)',
    ]);
  });

  describe('resolution', () => {
    it('uses X-Tenant-ID without a token', async () => {
      const response = await api.http.get('/api/v1/probe').set('x-tenant-id', 'acme').expect(200);
      expect(response.body).toEqual({ tenant_id: 'acme', actor: null });
    });

    it('uses the token tenant, and the actor from its claims', async () => {
      const response = await api.http
        .get('/api/v1/probe')
        .auth(await token('globex'), { type: 'bearer' })
        .expect(200);
      expect(response.body).toEqual({ tenant_id: 'globex', actor: { user_id: owners.get('globex'), role: 'owner' } });
    });

    it('accepts a header that matches the token and refuses one that differs', async () => {
      const bearer = await token('acme');
      await api.http.get('/api/v1/probe').auth(bearer, { type: 'bearer' }).set('x-tenant-id', 'acme').expect(200);
      const mismatch = await api.http
        .get('/api/v1/probe')
        .auth(bearer, { type: 'bearer' })
        .set('x-tenant-id', 'globex')
        .expect(403);
      expect(mismatch.body.error).toBe('tenant_mismatch');
    });

    it('refuses a forged or malformed token', async () => {
      const forged = `${(await token('acme')).slice(0, -4)}AAAA`;
      const response = await api.http.get('/api/v1/probe').auth(forged, { type: 'bearer' }).expect(401);
      expect(response.body.error).toBe('unauthorized');
      await api.http.get('/api/v1/probe').set('authorization', 'Basic abc').expect(401);
    });

    it('falls back to the default tenant', async () => {
      const response = await api.http.get('/api/v1/probe').expect(200);
      expect(response.body.tenant_id).toBe('default');
    });

    it('answers 404 tenant_not_found for an unknown or malformed tenant', async () => {
      for (const tenant of ['unknown-tenant', 'NOT a slug']) {
        const response = await api.http.get('/api/v1/probe').set('x-tenant-id', tenant).expect(404);
        expect(response.body.error).toBe('tenant_not_found');
      }
      const viaToken = await api.http
        .get('/api/v1/probe')
        .auth(await token('ghost'), { type: 'bearer' })
        .expect(404);
      expect(viaToken.body.error).toBe('tenant_not_found');
    });

    it('serves from the cache and sees a suspension right after the PATCH', async () => {
      const resolver = api.app.get(TenantResolver);
      await api.http.get('/api/v1/probe').set('x-tenant-id', 'acme').expect(200);
      const cached = await resolver.resolve('acme');
      expect(await resolver.resolve('acme')).toBe(cached);

      await api.http.patch('/api/v1/admin/tenants/acme').set(admin()).send({ status: 'suspended' }).expect(200);
      const suspended = await api.http.get('/api/v1/probe').set('x-tenant-id', 'acme').expect(403);
      expect(suspended.body.error).toBe('tenant_suspended');

      await api.http.patch('/api/v1/admin/tenants/acme').set(admin()).send({ status: 'active' }).expect(200);
      await api.http.get('/api/v1/probe').set('x-tenant-id', 'acme').expect(200);
    });
  });
});

describe('tenants: enforced isolation', () => {
  let api: E2eApp;

  beforeAll(async () => {
    useTestEnvironment('tenants-isolated', { ENABLE_TENANT_ISOLATION: 'true' });
    api = await createE2eApp([ProbeController]);
  });

  afterAll(() => api.close());

  it('answers 400 tenant_required when a request names no tenant', async () => {
    const response = await api.http.get('/api/v1/probe').expect(400);
    expect(response.body).toMatchObject({ error: 'tenant_required' });
    await api.http.get('/api/v1/probe').set('x-tenant-id', 'default').expect(200);
  });
});

describe('tenants: the default tenant opened by DEFAULT_TENANT_REGISTRATION', () => {
  let api: E2eApp;

  beforeAll(async () => {
    useTestEnvironment('tenants-open-default', {
      LOG_LEVEL: 'error',
      ENABLE_TENANT_ISOLATION: 'false',
      DEFAULT_TENANT_REGISTRATION: 'open',
    });
    api = await createE2eApp();
  });

  afterAll(() => api.close());

  it('lets v1 clients register without a tenant, as the default signup_role', async () => {
    const registered = await api.http
      .post('/api/v1/auth/register')
      .send({ email: 'v1@example.com', password: 'password-123', name: 'V1 Client' })
      .expect(201);
    expect(registered.body.user.role).toBe('viewer');
    const tenant = await api.http.get('/api/v1/admin/tenants/default').set({ 'x-admin-key': TEST_ADMIN_KEY });
    expect(tenant.body.settings.registration).toBe('open');
  });
});
