import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

const SHOP = 'https://shop.acme.test';
const DASHBOARD = 'https://app.form-backend.test';
const STRANGER = 'https://evil.test';

describe('CORS: embedded forms answer their tenant’s allowed_origins, everything else CORS_ORIGINS', () => {
  let api: E2eApp;
  let owner: SignedInUser;
  let acmeForm: string;
  let openForm: string;

  /** What a browser sends before a cross-origin JSON POST with a tenant header. */
  const preflight = (path: string, origin: string, method = 'POST') =>
    api.http
      .options(path)
      .set('origin', origin)
      .set('access-control-request-method', method)
      .set('access-control-request-headers', 'content-type,x-tenant-id,idempotency-key,x-captcha-token');

  beforeAll(async () => {
    useTestEnvironment('cors', { CORS_ORIGINS: DASHBOARD });
    api = await createE2eApp();
    await createTenant(api, 'acme', { allowed_origins: [SHOP] });
    await createTenant(api, 'anywhere', { allowed_origins: ['*'] });
    owner = await addMember(api, 'acme');
    acmeForm = await createForm(api, owner);
    openForm = await createForm(api, await addMember(api, 'anywhere'));
  });

  afterAll(() => api.close());

  it('answers a preflight from an allowed origin for the three public endpoints', async () => {
    for (const [path, method] of [
      [`/api/v1/forms/${acmeForm}/submit`, 'POST'],
      [`/api/v1/forms/${acmeForm}/files`, 'POST'],
      [`/api/v1/forms/${acmeForm}/public`, 'GET'],
    ]) {
      const answer = await preflight(path, SHOP, method).expect(204);
      expect(answer.headers['access-control-allow-origin']).toBe(SHOP);
      expect(answer.headers['access-control-allow-methods']).toBe('GET, POST');
      expect(answer.headers['access-control-allow-headers']).toContain('x-tenant-id');
      expect(answer.headers['access-control-allow-headers']).toContain('idempotency-key');
      // A page's fetch() sends the captcha widget's token in this header.
      expect(answer.headers['access-control-allow-headers']).toContain('x-captcha-token');
      expect(answer.headers.vary).toContain('Origin');
    }
  });

  it('lets the allowed origin submit and read the answer, and gives a stranger no CORS headers', async () => {
    const submitted = await api.http
      .post(`/api/v1/forms/${acmeForm}/submit`)
      .set({ origin: SHOP, 'x-tenant-id': 'acme' })
      .send({ data: { email: 'visitor@example.com' } })
      .expect(201);
    expect(submitted.headers['access-control-allow-origin']).toBe(SHOP);
    expect(submitted.headers['access-control-expose-headers']).toContain('retry-after');

    const refused = await preflight(`/api/v1/forms/${acmeForm}/submit`, STRANGER);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const unknownForm = await preflight('/api/v1/forms/0123456789abcdef01234567/submit', SHOP);
    expect(unknownForm.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows any origin for a tenant that lists "*"', async () => {
    const answer = await preflight(`/api/v1/forms/${openForm}/submit`, STRANGER).expect(204);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
  });

  it('follows CORS_ORIGINS everywhere else, the dashboard included on public endpoints', async () => {
    const dashboard = await preflight('/api/v1/forms', DASHBOARD).expect(204);
    expect(dashboard.headers['access-control-allow-origin']).toBe(DASHBOARD);
    const shopOnPrivateRoute = await preflight('/api/v1/forms', SHOP);
    expect(shopOnPrivateRoute.headers['access-control-allow-origin']).toBeUndefined();
    const dashboardOnPublic = await preflight(`/api/v1/forms/${acmeForm}/public`, DASHBOARD, 'GET').expect(204);
    expect(dashboardOnPublic.headers['access-control-allow-origin']).toBe(DASHBOARD);
  });

  it("follows the owner's change of allowed_origins", async () => {
    const newShop = 'https://new-shop.acme.test';
    await api.http
      .patch('/api/v1/tenant')
      .set(owner.headers)
      .send({ settings: { allowed_origins: [newShop] } })
      .expect(200);
    const allowed = await preflight(`/api/v1/forms/${acmeForm}/submit`, newShop).expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(newShop);
    const dropped = await preflight(`/api/v1/forms/${acmeForm}/submit`, SHOP);
    expect(dropped.headers['access-control-allow-origin']).toBeUndefined();
  });
});
