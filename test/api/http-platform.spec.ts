import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { TEST_ADMIN_KEY, useTestEnvironment } from '../support/test-environment.js';

describe('HTTP platform', () => {
  let api: E2eApp;

  beforeAll(async () => {
    useTestEnvironment('http-platform', { BODY_LIMIT_BYTES: '2048' });
    api = await createE2eApp();
  });

  afterAll(() => api.close());

  it('answers liveness and readiness with both stores up', async () => {
    await api.http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await api.http.get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.info).toEqual({
      mongodb: expect.objectContaining({ status: 'up' }),
      redis: expect.objectContaining({ status: 'up' }),
    });
  });

  it('gives unknown routes the contract error body', async () => {
    const response = await api.http.get('/api/v1/does-not-exist').expect(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: 'Cannot GET /api/v1/does-not-exist',
    });
  });

  it('answers malformed JSON with invalid_json', async () => {
    const response = await api.http
      .post('/api/v1/admin/diagnostics/jobs')
      .set('x-admin-key', TEST_ADMIN_KEY)
      .set('content-type', 'application/json')
      .send('{"message": ');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'invalid_json',
      message: 'Request body is not valid JSON',
    });
  });

  it('answers a body over the limit with payload_too_large', async () => {
    const response = await api.http
      .post('/api/v1/admin/diagnostics/jobs')
      .set('x-admin-key', TEST_ADMIN_KEY)
      .send({ message: 'x'.repeat(4096) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413, error: 'payload_too_large' });
  });

  it('refuses unknown and invalid body keys, reporting every problem', async () => {
    const response = await api.http
      .post('/api/v1/admin/diagnostics/jobs')
      .set('x-admin-key', TEST_ADMIN_KEY)
      .send({ message: 'y'.repeat(201), extra: true });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.details).toEqual(
      expect.arrayContaining([
        { field: 'extra', message: 'property extra should not exist' },
        { field: 'message', message: expect.stringContaining('200') },
      ]),
    );
  });

  it('refuses operator endpoints without the right admin key', async () => {
    for (const key of [undefined, 'wrong-key', `${TEST_ADMIN_KEY}x`]) {
      const request = api.http.post('/api/v1/admin/diagnostics/jobs').send({});
      if (key) request.set('x-admin-key', key);
      const response = await request;
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'unauthorized' });
    }
  });

  it("answers with the server's own request id, whatever id the caller sent", async () => {
    const sent = await api.http.get('/health/live').set('x-request-id', 'abc-123');
    expect(sent.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const again = await api.http.get('/health/live').set('x-request-id', 'abc-123');
    expect(again.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.headers['x-request-id']).not.toBe(sent.headers['x-request-id']);
    const insane = await api.http.get('/health/live').set('x-request-id', 'bad id with spaces');
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const response = await api.http.get('/health/live');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('serves Swagger UI and an OpenAPI document with tenant header and bearer auth', async () => {
    const ui = await api.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const document = await api.http.get('/docs-json').expect(200);
    expect(document.body.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
    const enqueue = document.body.paths['/api/v1/admin/diagnostics/jobs'].post;
    expect(enqueue.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'X-Tenant-ID', in: 'header' })]),
    );
  });

  it('describes the answers every route can give, and lists as { data: [...] }', async () => {
    const { paths } = (await api.http.get('/docs-json').expect(200)).body;
    const submit = paths['/api/v1/forms/{form_id}/submit'].post.responses;
    expect(Object.keys(submit)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '413', '414', '503']));
    expect(submit['503'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    const adminList = paths['/api/v1/admin/tenants'].get.responses;
    expect(Object.keys(adminList)).toEqual(expect.arrayContaining(['200', '400', '401', '429', '503']));
    expect(Object.keys(adminList)).not.toContain('404');
    expect(adminList['200'].content['application/json'].schema).toEqual({
      type: 'object',
      required: ['data'],
      properties: { data: { type: 'array', items: { $ref: '#/components/schemas/TenantDto' } } },
    });
  });

  it('documents every endpoint of the contract implemented so far', async () => {
    const { paths } = (await api.http.get('/docs-json').expect(200)).body;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/register',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/password-reset',
        'POST /api/v1/auth/password-reset/confirm',
        'GET /api/v1/users/me',
        'GET /api/v1/users',
        'PATCH /api/v1/users/{user_id}',
        'DELETE /api/v1/users/{user_id}',
        'POST /api/v1/auth/password',
        'POST /api/v1/auth/logout',
        'POST /api/v1/auth/invitations/accept',
        'POST /api/v1/invitations',
        'GET /api/v1/invitations',
        'DELETE /api/v1/invitations/{invitation_id}',
        'POST /api/v1/forms/{form_id}/invitations',
        'GET /api/v1/tenant',
        'PATCH /api/v1/tenant',
        'POST /api/v1/admin/tenants/{tenant_id}/invitations',
        'POST /api/v1/forms',
        'GET /api/v1/forms',
        'GET /api/v1/forms/{form_id}',
        'PATCH /api/v1/forms/{form_id}',
        'POST /api/v1/forms/{form_id}/publish',
        'POST /api/v1/forms/{form_id}/archive',
        'GET /api/v1/forms/{form_id}/versions',
        'GET /api/v1/forms/{form_id}/public',
        'POST /api/v1/forms/{form_id}/submit',
        'GET /api/v1/forms/{form_id}/responses',
        'GET /api/v1/responses/{response_id}',
        'PATCH /api/v1/responses/{response_id}',
        'POST /api/v1/files',
        'GET /api/v1/files/{file_id}',
        'POST /api/v1/forms/{form_id}/invitations',
        'POST /api/v1/forms/{form_id}/exports',
        'GET /api/v1/exports/{export_id}',
        'GET /api/v1/exports/{export_id}/download',
        'POST /api/v1/webhooks',
        'GET /api/v1/webhooks',
        'GET /api/v1/webhooks/{webhook_id}',
        'PATCH /api/v1/webhooks/{webhook_id}',
        'DELETE /api/v1/webhooks/{webhook_id}',
        'GET /api/v1/webhooks/{webhook_id}/deliveries',
        'POST /api/v1/webhooks/{webhook_id}/deliveries/retry',
        'POST /api/v1/webhooks/{webhook_id}/deliveries/{event_id}/retry',
      ]),
    );
    expect(paths['/api/v1/forms/{form_id}/submit'].post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
    );
  });

  it('serves the queue dashboard to the admin key only (header or Basic password)', async () => {
    const anonymous = await api.http.get('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="queues"');
    await api.http.get('/admin/queues').set('x-admin-key', 'wrong-key-0123456789').expect(401);
    const page = await api.http.get('/admin/queues').set('x-admin-key', TEST_ADMIN_KEY).expect(200);
    expect(page.text).toContain('<html');
    const queues = await api.http.get('/admin/queues/api/queues').auth('operator', TEST_ADMIN_KEY).expect(200);
    expect(queues.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual([
      'diagnostics',
      'email',
      'erasure',
      'export',
      'housekeeping',
      'webhook',
    ]);
  });

  it('keeps the queue dashboard read-only by default: the admin key can look, not add, clean or retry', async () => {
    const queues = await api.http.get('/admin/queues/api/queues').set('x-admin-key', TEST_ADMIN_KEY).expect(200);
    expect(queues.body.queues.every((queue: { readOnlyMode: boolean }) => queue.readOnlyMode)).toBe(true);
    const waitingBefore = await queues.body.queues.find((queue: { name: string }) => queue.name === 'diagnostics');
    const writes = [
      api.http.post('/admin/queues/api/queues/diagnostics/add').send({ name: 'planted', data: {} }),
      api.http.put('/admin/queues/api/queues/email/clean/completed'),
      api.http.put('/admin/queues/api/queues/email/retry/failed'),
      api.http.put('/admin/queues/api/queues/email/empty'),
    ];
    for (const write of writes) expect((await write.set('x-admin-key', TEST_ADMIN_KEY)).status).toBe(405);
    const after = await api.http.get('/admin/queues/api/queues').set('x-admin-key', TEST_ADMIN_KEY).expect(200);
    expect(after.body.queues.find((queue: { name: string }) => queue.name === 'diagnostics').counts).toEqual(
      waitingBefore.counts,
    );
  });
});
