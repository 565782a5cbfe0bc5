import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** Fixed, so a failure replays exactly; printed with the failing body. */
const SEED = 20261126;
const BODIES_PER_ENDPOINT = 200;

const nested = (depth: number): unknown => (depth === 0 ? 'bottom' : { a: [nested(depth - 1)] });

/** Values no string field accepts: operators, prototype keys, wrong types, huge and deep values. */
const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(
    { $gt: '' },
    { $ne: null },
    { $where: 'sleep(10000)' },
    { $regex: '.*' },
    JSON.parse('{"__proto__": {"admin": true}}'),
    { constructor: { prototype: { admin: true } } },
    'x'.repeat(300_000),
    nested(2_000),
    [],
    null,
    true,
    -0,
    1e308,
  ),
  fc.integer(),
  fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.constantFrom('$gt', '$in', '$exists', '__proto__', 'constructor'), fc.jsonValue(), {
    minKeys: 1,
  }),
);

/** Keys that must never reach a query or a prototype. */
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$set',
  'tenant_id',
  '_id',
  'role',
);

/**
 * A body built from a valid one that is invalid for sure: one of its required string fields holds a
 * hostile value, or it carries a hostile extra key; other fields may be hostile too.
 */
function hostileBody(valid: Record<string, unknown>, required: string[]): fc.Arbitrary<string> {
  const replaced = fc.record({
    field: fc.constantFrom(...required),
    value: hostileValue,
    others: fc.dictionary(fc.constantFrom(...Object.keys(valid)), hostileValue, { maxKeys: 2 }),
  });
  const extra = fc.record({ key: hostileKey, value: hostileValue });
  return fc
    .oneof(
      replaced.map(({ field, value, others }) => ({ ...valid, ...others, [field]: value })),
      extra.map(({ key, value }) => ({ ...valid, [key]: value })),
      // A computed `__proto__` key is an own property, so it travels in the JSON text as a key.
    )
    .map((body) => JSON.stringify(body));
}

describe('hostile bodies: 200 per endpoint, no 5xx, nothing stored', () => {
  let api: E2eApp;
  let owner: SignedInUser;
  let formId: string;

  const counts = async () => ({
    responses: (await api.http.get(`/api/v1/forms/${formId}/responses?limit=100`).set(owner.headers)).body.data.length,
    users: (await api.http.get('/api/v1/users').set(owner.headers)).body.data.length,
    forms: (await api.http.get('/api/v1/forms?limit=100').set(owner.headers)).body.data.length,
  });

  async function sendAll(path: string, headers: Record<string, string>, bodies: string[]): Promise<void> {
    for (const body of bodies) {
      const answer = await api.http
        .post(path)
        .set({ ...headers, 'content-type': 'application/json' })
        .send(body);
      if (answer.status < 400 || answer.status >= 500) {
        throw new Error(`POST ${path} answered ${answer.status} to ${body.slice(0, 300)} (seed ${SEED})`);
      }
      expect(answer.body).toMatchObject({ statusCode: answer.status, error: expect.any(String) });
    }
  }

  beforeAll(async () => {
    useTestEnvironment('hostile-bodies', { LOG_LEVEL: 'silent' });
    api = await createE2eApp();
    await createTenant(api, 'acme', { registration: 'open' });
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner, {
      fields: [
        { key: 'email', type: 'email', label: 'Email', required: true },
        { key: 'message', type: 'textarea', label: 'Message', max_length: 500 },
      ],
    });
  });

  afterAll(() => api.close());

  it('submit', async () => {
    const before = await counts();
    const data = hostileBody({ email: 'visitor@example.com', message: 'Hello' }, ['email']).map(
      (data) => `{"data":${data}}`,
    );
    const wholeBody = hostileBody({ data: { email: 'visitor@example.com' } }, ['data']);
    const bodies = [
      ...fc.sample(data, { numRuns: BODIES_PER_ENDPOINT / 2, seed: SEED }),
      ...fc.sample(wholeBody, { numRuns: BODIES_PER_ENDPOINT / 2, seed: SEED + 1 }),
    ];
    await sendAll(`/api/v1/forms/${formId}/submit`, { 'x-tenant-id': 'acme' }, bodies);
    expect(await counts()).toEqual(before);
  }, 120_000);

  it('register', async () => {
    const before = await counts();
    const valid = { email: 'new@example.com', password: 'password-123', name: 'New' };
    const bodies = fc.sample(hostileBody(valid, ['email', 'password', 'name']), {
      numRuns: BODIES_PER_ENDPOINT,
      seed: SEED + 2,
    });
    await sendAll('/api/v1/auth/register', { 'x-tenant-id': 'acme' }, bodies);
    expect(await counts()).toEqual(before);
  }, 120_000);

  it('form creation', async () => {
    const before = await counts();
    const valid = { title: 'Hostile', fields: [{ key: 'name', type: 'text', label: 'Name' }] };
    const bodies = fc.sample(hostileBody(valid, ['title']), { numRuns: BODIES_PER_ENDPOINT, seed: SEED + 3 });
    await sendAll('/api/v1/forms', owner.headers, bodies);
    expect(await counts()).toEqual(before);
  }, 120_000);
});
