import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModulesContainer } from '@nestjs/core';
import { addMember, bearer, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** `api-key`: an owner-role API key of the tenant (as strong as a key gets). */
type Caller = 'anonymous' | 'viewer' | 'editor' | 'owner' | 'api-key';
/** Who may call a route: a member role, anyone (public), or only the operator (admin key). */
type Access = Caller | 'admin';

interface RouteRule {
  access: Access;
  /** What a caller who may call it gets for the request below (which changes nothing). */
  allowed: number;
  body?: object;
  /** The route revokes the caller's token: each caller signs in afresh for it. */
  freshToken?: boolean;
  /** About the calling member, or key management: an API key gets 403 whatever its role. */
  membersOnly?: boolean;
}

const MISSING = '0123456789abcdef01234567';
const CALLERS: Caller[] = ['anonymous', 'viewer', 'editor', 'owner', 'api-key'];

/**
 * The contract's role table, one entry per route (`METHOD path` as declared). Requests name missing
 * documents or carry invalid bodies, so an allowed caller gets a 4xx after the role check and nothing
 * changes; a caller below the role gets 401 (anonymous) or 403. A route missing here fails the test.
 */
const ROUTES: Record<string, RouteRule> = {
  'POST /auth/register': { access: 'anonymous', allowed: 400, body: {} },
  'POST /auth/login': { access: 'anonymous', allowed: 400, body: {} },
  'POST /auth/password-reset': { access: 'anonymous', allowed: 400, body: {} },
  'POST /auth/password-reset/confirm': { access: 'anonymous', allowed: 400, body: {} },
  'POST /auth/invitations/accept': { access: 'anonymous', allowed: 400, body: {} },
  'POST /auth/password': { access: 'viewer', allowed: 400, body: {}, membersOnly: true },
  'POST /auth/logout': { access: 'viewer', allowed: 204, freshToken: true, membersOnly: true },
  'GET /users/me': { access: 'viewer', allowed: 200, membersOnly: true },
  'GET /users': { access: 'viewer', allowed: 200 },
  'PATCH /users/:user_id': { access: 'owner', allowed: 404, body: { role: 'viewer' } },
  'DELETE /users/:user_id': { access: 'owner', allowed: 404 },
  'GET /tenant': { access: 'viewer', allowed: 200 },
  'PATCH /tenant': { access: 'owner', allowed: 400, body: { settings: { max_forms: 1 } } },
  'POST /invitations': { access: 'owner', allowed: 400, body: {} },
  'GET /invitations': { access: 'owner', allowed: 200 },
  'DELETE /invitations/:invitation_id': { access: 'owner', allowed: 404 },
  'POST /forms/:form_id/invitations': { access: 'owner', allowed: 400, body: {} },
  'POST /forms': { access: 'editor', allowed: 400, body: {} },
  'GET /forms': { access: 'viewer', allowed: 200 },
  'GET /forms/:form_id': { access: 'viewer', allowed: 404 },
  'PATCH /forms/:form_id': { access: 'editor', allowed: 404, body: { title: 'Renamed' } },
  'POST /forms/:form_id/publish': { access: 'editor', allowed: 404 },
  'POST /forms/:form_id/archive': { access: 'editor', allowed: 404 },
  'DELETE /forms/:form_id': { access: 'editor', allowed: 404 },
  'GET /forms/:form_id/versions': { access: 'viewer', allowed: 404 },
  'GET /forms/:form_id/versions/:version': { access: 'viewer', allowed: 404 },
  'GET /forms/:form_id/public': { access: 'anonymous', allowed: 404 },
  'POST /forms/:form_id/files': { access: 'anonymous', allowed: 415 },
  'POST /forms/:form_id/submit': { access: 'anonymous', allowed: 404, body: { data: {} } },
  'GET /forms/:form_id/thanks': { access: 'anonymous', allowed: 404 },
  'GET /forms/:form_id/responses': { access: 'viewer', allowed: 404 },
  'GET /responses/:response_id': { access: 'viewer', allowed: 404 },
  'PATCH /responses/:response_id': { access: 'editor', allowed: 404, body: { data: {} } },
  'DELETE /responses/:response_id': { access: 'editor', allowed: 404 },
  'POST /responses/:response_id/not-spam': { access: 'editor', allowed: 404 },
  'GET /events': { access: 'owner', allowed: 200 },
  'POST /files': { access: 'editor', allowed: 415 },
  'GET /files/:file_id': { access: 'viewer', allowed: 404 },
  'POST /forms/:form_id/exports': { access: 'editor', allowed: 404, body: { format: 'csv' } },
  'GET /exports/:export_id': { access: 'viewer', allowed: 404 },
  'GET /exports/:export_id/download': { access: 'viewer', allowed: 404 },
  'POST /webhooks': { access: 'owner', allowed: 400, body: {} },
  'GET /webhooks': { access: 'owner', allowed: 200 },
  'GET /webhooks/:webhook_id': { access: 'owner', allowed: 404 },
  'PATCH /webhooks/:webhook_id': { access: 'owner', allowed: 404, body: {} },
  'DELETE /webhooks/:webhook_id': { access: 'owner', allowed: 404 },
  'GET /webhooks/:webhook_id/deliveries': { access: 'owner', allowed: 404 },
  'POST /webhooks/:webhook_id/deliveries/retry': { access: 'owner', allowed: 400, body: {} },
  'POST /webhooks/:webhook_id/deliveries/:event_id/retry': { access: 'owner', allowed: 404 },
  'POST /webhooks/:webhook_id/rotate-secret': { access: 'owner', allowed: 404 },
  'POST /webhooks/:webhook_id/test': { access: 'owner', allowed: 404 },
  'POST /api-keys': { access: 'owner', allowed: 400, body: {}, membersOnly: true },
  'GET /api-keys': { access: 'owner', allowed: 200, membersOnly: true },
  'DELETE /api-keys/:api_key_id': { access: 'owner', allowed: 404, membersOnly: true },
  'POST /admin/tenants': { access: 'admin', allowed: 400, body: {} },
  'GET /admin/tenants': { access: 'admin', allowed: 200 },
  'GET /admin/tenants/:tenant_id': { access: 'admin', allowed: 404 },
  'PATCH /admin/tenants/:tenant_id': { access: 'admin', allowed: 404, body: {} },
  'DELETE /admin/tenants/:tenant_id': { access: 'admin', allowed: 404 },
  'POST /admin/tenants/:tenant_id/invitations': { access: 'admin', allowed: 400, body: {} },
  'POST /admin/diagnostics/jobs': { access: 'admin', allowed: 400, body: {} },
  'GET /admin/diagnostics/jobs/:job_id': { access: 'admin', allowed: 404 },
  'GET /health/live': { access: 'anonymous', allowed: 200 },
  'GET /health/ready': { access: 'anonymous', allowed: 200 },
  'GET /metrics': { access: 'anonymous', allowed: 200 },
};

/** Routes outside the `/api/v1` prefix (see `configureHttpApp`). */
const UNPREFIXED = new Set(['GET /health/live', 'GET /health/ready', 'GET /metrics']);
const RANK: Record<Caller, number> = { anonymous: 0, viewer: 1, editor: 2, owner: 3, 'api-key': 3 };
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

/** Every route the application declares, read from its controllers' metadata. */
function declaredRoutes(api: E2eApp): string[] {
  const routes: string[] = [];
  for (const module of api.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new () => object) | null;
      if (!controller) continue;
      // Nest's metadata keys (PATH_METADATA, METHOD_METADATA).
      const base = String(Reflect.getMetadata('path', controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata('path', handler) === undefined) continue;
        const method = METHODS[Reflect.getMetadata('method', handler) as number];
        const path = [base, String(Reflect.getMetadata('path', handler))]
          .filter((part) => part && part !== '/')
          .join('/');
        routes.push(`${method} /${path}`);
      }
    }
  }
  return routes.sort();
}

function expectedStatus(rule: RouteRule, caller: Caller): number {
  if (rule.access === 'admin') return 401;
  if (caller === 'api-key' && rule.membersOnly) return 403;
  if (RANK[caller] >= RANK[rule.access]) return rule.allowed;
  return caller === 'anonymous' ? 401 : 403;
}

describe('roles: every route × every role × anonymous, as the contract table says', () => {
  let api: E2eApp;
  const members = new Map<Exclude<Caller, 'anonymous' | 'api-key'>, SignedInUser>();
  let apiKeyHeaders: { authorization: string };

  beforeAll(async () => {
    useTestEnvironment('roles', { LOG_LEVEL: 'error' });
    api = await createE2eApp();
    await createTenant(api, 'roles', { features: { webhooks: true } });
    for (const role of ['viewer', 'editor', 'owner'] as const) {
      members.set(role, await addMember(api, 'roles', `${role}@roles.test`, role));
    }
    const key = await api.http
      .post('/api/v1/api-keys')
      .set(members.get('owner')?.headers ?? {})
      .send({ name: 'roles', role: 'owner' })
      .expect(201);
    apiKeyHeaders = bearer(key.body.key);
  });

  afterAll(() => api.close());

  const freshHeaders = async (member: SignedInUser) => {
    const login = await api.http
      .post('/api/v1/auth/login')
      .set('x-tenant-id', member.tenant_id)
      .send({ email: member.email, password: 'password-123' })
      .expect(200);
    return bearer(login.body.access_token);
  };

  it('has a rule for every declared route, and no rule for a route that does not exist', () => {
    expect(declaredRoutes(api)).toEqual(Object.keys(ROUTES).sort());
  });

  const cases = Object.entries(ROUTES).flatMap(([route, rule]) =>
    CALLERS.map((caller) => ({ route, rule, caller, expected: expectedStatus(rule, caller) })),
  );

  it.each(cases)('$route as $caller answers $expected', async ({ route, rule, caller, expected }) => {
    const [method, template] = route.split(' ');
    const path = template.replace(/:[a-z_]+/g, MISSING);
    const url = UNPREFIXED.has(route) ? path : `/api/v1${path}`;
    const request = api.http[method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](url).set(
      'x-tenant-id',
      'roles',
    );
    const member = caller === 'anonymous' || caller === 'api-key' ? undefined : members.get(caller);
    if (member) request.set(rule.freshToken ? await freshHeaders(member) : member.headers);
    if (caller === 'api-key') request.set(apiKeyHeaders);
    const response = rule.body ? await request.send(rule.body) : await request;
    // Signing out revoked every token of the member: the next cases sign in again.
    if (member && rule.freshToken)
      members.set(caller as Exclude<Caller, 'anonymous' | 'api-key'>, {
        ...member,
        headers: await freshHeaders(member),
      });
    expect(response.status).toBe(expected);
    if (expected === 403) expect(response.body.error).toBe('forbidden');
    if (expected === 401) expect(response.body.error).toBe('unauthorized');
  });
});
