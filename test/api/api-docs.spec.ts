import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../../src/infrastructure/http/error-codes.js';
import { TENANT_ID_PATTERN } from '../../src/modules/tenants/tenant.schema.js';
import { addMember, createForm, createTenant } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

type Parameter = { name: string; in: string; required?: boolean; schema?: { type?: string; pattern?: string } };
type Answer = { content?: Record<string, { example?: { statusCode?: number; error?: string } }>; headers?: object };
type Operation = { parameters?: Parameter[]; responses: Record<string, Answer> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

/** `/docs-json` as an explorer (Swagger UI's "Try it out") uses it: every id fillable, every error its own. */
describe('the OpenAPI document', () => {
  let api: E2eApp;
  let document: Document;
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        path,
        operation,
      })),
    );
  const answer = (route: string, status: string) => {
    const [method, path] = route.split(' ') as [string, string];
    return document.paths[path]?.[method.toLowerCase()]?.responses[status];
  };

  beforeAll(async () => {
    useTestEnvironment('api-docs');
    api = await createE2eApp();
    document = (await api.http.get('/docs-json').expect(200)).body as Document;
  });

  afterAll(() => api.close());

  it('never describes anything as a Function', () => {
    expect(JSON.stringify(document)).not.toContain('Function');
    expect(document.components.schemas).not.toHaveProperty('Function');
  });

  it('gives every {name} of every path a required string parameter with its pattern', () => {
    const wrong: string[] = [];
    for (const { route, path, operation } of operations()) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const inPath = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
      expect({ route, names: inPath.map((parameter) => parameter.name) }).toEqual({ route, names });
      for (const { name, required, schema } of inPath) {
        // A form version is a number (1, 2, ...); every other path parameter is an id, a string.
        const fillable = schema?.type === 'integer' || (schema?.type === 'string' && !!schema.pattern);
        if (!required || !fillable) wrong.push(`${route} ${name}: ${JSON.stringify(schema)}`);
      }
    }
    expect(wrong).toEqual([]);
    const formId = document.paths['/api/v1/forms/{form_id}']?.get?.parameters?.find((p) => p.name === 'form_id');
    expect(formId?.schema).toMatchObject({ type: 'string', pattern: '^[0-9a-fA-F]{24}$' });
    const tenantId = document.paths['/api/v1/admin/tenants/{tenant_id}']?.get?.parameters?.[0];
    expect(tenantId?.schema).toMatchObject({ type: 'string', pattern: TENANT_ID_PATTERN.source });
    // Swagger UI's "Try it out" sends a parameter's example: a tenant header example would make
    // every token of another tenant answer 403 tenant_mismatch.
    const tenantHeader = document.paths['/api/v1/forms']?.get?.parameters?.find((p) => p.name === 'X-Tenant-ID');
    expect(tenantHeader).toMatchObject({ in: 'header', required: false });
    expect(JSON.stringify(tenantHeader)).not.toContain('example');
    const version = document.paths['/api/v1/forms/{form_id}/versions/{version}']?.get?.parameters?.[1];
    expect(version).toMatchObject({ name: 'version', schema: { type: 'integer' } });
  });

  it('describes ids as the API reads them: a real id matches, a malformed one answers 404', async () => {
    await createTenant(api, 'docs-shop');
    const owner = await addMember(api, 'docs-shop');
    const formId = await createForm(api, owner, { title: 'Documented' });
    const pattern = document.paths['/api/v1/forms/{form_id}']?.get?.parameters?.[0]?.schema?.pattern ?? '';
    expect(formId).toMatch(new RegExp(pattern));
    expect((await api.http.get(`/api/v1/forms/${formId}`).set(owner.headers).expect(200)).body.title).toBe(
      'Documented',
    );
    const malformed = await api.http.get('/api/v1/forms/not-an-id').set(owner.headers).expect(404);
    expect('not-an-id').not.toMatch(new RegExp(pattern));
    expect(malformed.body.error).toBe('not_found');
  });

  it('gives every error answer an example body of its own status, with a code from the one list', () => {
    const codes = new Set<string>(Object.values(ErrorCode));
    const wrong: string[] = [];
    let examples = 0;
    for (const { route, operation } of operations()) {
      for (const [status, { content }] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const example = content?.['application/json']?.example;
        examples += 1;
        if (example?.statusCode !== Number(status) || !codes.has(example.error ?? '')) {
          wrong.push(`${route} ${status}: ${JSON.stringify(example)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(examples).toBeGreaterThan(100);
  });

  it('names a fitting code per status, and Retry-After where the contract sends it', () => {
    const example = (route: string, status: string) => answer(route, status)?.content?.['application/json']?.example;
    expect(example('GET /api/v1/forms/{form_id}', '400')).toMatchObject({
      statusCode: 400,
      error: 'validation_failed',
      details: [expect.objectContaining({ field: expect.any(String) })],
    });
    expect(example('GET /api/v1/forms/{form_id}', '401')).toMatchObject({ statusCode: 401, error: 'unauthorized' });
    expect(example('GET /api/v1/forms/{form_id}', '404')).toMatchObject({ statusCode: 404, error: 'not_found' });
    expect(example('PATCH /api/v1/users/{user_id}', '403')).toMatchObject({ statusCode: 403, error: 'forbidden' });
    expect(example('PATCH /api/v1/users/{user_id}', '409')).toMatchObject({ statusCode: 409, error: 'last_owner' });
    expect(example('POST /api/v1/admin/tenants', '409')).toMatchObject({ statusCode: 409, error: 'conflict' });
    expect(example('POST /api/v1/forms/{form_id}/submit', '410')).toMatchObject({ error: 'form_archived' });
    expect(example('POST /api/v1/forms/{form_id}/submit', '413')).toMatchObject({ error: 'payload_too_large' });
    expect(example('GET /api/v1/forms', '503')).toMatchObject({ statusCode: 503, error: 'service_unavailable' });
    const limited = answer('POST /api/v1/auth/login', '429');
    expect(limited?.content?.['application/json']?.example).toMatchObject({ statusCode: 429, error: 'rate_limited' });
    expect(limited?.headers).toHaveProperty('Retry-After');
    expect(answer('GET /api/v1/forms', '503')?.headers).toHaveProperty('Retry-After');
  });
});
