import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningRedis, startRedisServer } from '../../harness/stores.js';
import {
  addMember,
  bearer,
  createForm,
  createTenant,
  operatorInviteToken,
  type SignedInUser,
} from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { TEST_ADMIN_KEY, useTestEnvironment } from '../support/test-environment.js';

/** Small limits, one Redis of this file's own (stopped in the last test), clients told apart by X-Forwarded-For. */
const LIMITS = {
  TRUST_PROXY: '1',
  RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '3',
  RATE_LIMIT_PUBLIC_READS_PER_MINUTE: '2',
  RATE_LIMIT_PUBLIC_UPLOADS_PER_MINUTE: '3',
  RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE: '5',
  RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE: '5',
  RATE_LIMIT_ACCOUNT_CALLS_PER_MINUTE: '4',
  RATE_LIMIT_RESET_EMAILS_PER_HOUR: '2',
  LOGIN_MAX_FAILURES_PER_EMAIL: '3',
  LOGIN_MAX_ATTEMPTS_PER_IP: '5',
  PASSWORD_CHANGE_MAX_FAILURES: '3',
  ADMIN_KEY_MAX_FAILURES_PER_IP: '3',
};

const WITH_FILE = [
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'cv', type: 'file', label: 'CV' },
];

/**
 * `count` spellings of one ObjectId that differ only in the case of its hex letters (the id parser
 * takes any case): the id as created, all upper case, then one more letter upper-cased each time.
 */
function caseVariants(id: string, count: number): string[] {
  const letters = [...id].flatMap((char, index) => (/[a-f]/.test(char) ? [index] : []));
  const spellings = [id, id.toUpperCase()];
  for (let upper = 1; spellings.length < count; upper += 1) {
    spellings.push(
      [...id].map((char, index) => (letters.slice(0, upper).includes(index) ? char.toUpperCase() : char)).join(''),
    );
  }
  return spellings;
}

describe('rate limits (429 rate_limited with Retry-After, counted in Redis)', () => {
  let redis: RunningRedis;
  let api: E2eApp;
  let owner: SignedInUser;
  let formId: string;
  let otherFormId: string;

  const submit = (form: string, client: string) =>
    api.http
      .post(`/api/v1/forms/${form}/submit`)
      .set({ 'x-tenant-id': 'acme', 'x-forwarded-for': client })
      .send({ data: { email: 'visitor@example.com' } });
  const login = (email: string, password: string, client: string) =>
    api.http
      .post('/api/v1/auth/login')
      .set({ 'x-tenant-id': 'acme', 'x-forwarded-for': client })
      .send({ email, password });
  const statuses = (answers: { status: number }[]) => answers.map((answer) => answer.status);
  /** A viewer of acme, signed in from an address of its own (the accept call counts per client IP). */
  let memberCount = 0;
  const viewer = async (email: string) => {
    memberCount += 1;
    const accepted = await api.http
      .post('/api/v1/auth/invitations/accept')
      .set({ 'x-tenant-id': 'acme', 'x-forwarded-for': `192.0.2.${160 + memberCount}` })
      .send({ token: await operatorInviteToken(api, 'acme', email, 'viewer'), name: 'V', password: 'password-123' })
      .expect(201);
    return bearer(accepted.body.access_token as string);
  };
  const changePassword = (headers: Record<string, string>, current: string, next = 'changed-password-1') =>
    api.http.post('/api/v1/auth/password').set(headers).send({ current_password: current, new_password: next });
  const adminCall = (client: string, key?: string) =>
    api.http.get('/api/v1/admin/tenants').set({ 'x-forwarded-for': client, ...(key ? { 'x-admin-key': key } : {}) });
  const dashboardCall = (client: string, key?: string) =>
    api.http.get('/admin/queues/api/queues').set({ 'x-forwarded-for': client, ...(key ? { 'x-admin-key': key } : {}) });

  beforeAll(async () => {
    redis = await startRedisServer();
    useTestEnvironment('rate-limits', { REDIS_URL: redis.url, ...LIMITS });
    api = await createE2eApp();
    await createTenant(api, 'acme', { registration: 'open' });
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner);
    otherFormId = await createForm(api, owner, { title: 'Other' });
  });

  afterAll(async () => {
    await api.close();
    await redis.stop();
  });

  it('limits submissions per client IP per form, and says when to come back', async () => {
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push(await submit(formId, '203.0.113.1'));
    expect(statuses(answers)).toEqual([201, 201, 201, 429]);
    const limited = answers[3];
    expect(limited.body).toEqual({ statusCode: 429, error: 'rate_limited', message: expect.any(String) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    // Another form, and another client, have their own counters.
    await submit(otherFormId, '203.0.113.1').expect(201);
    await submit(formId, '203.0.113.2').expect(201);
    // The refused submission stored nothing.
    const stored = await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200);
    expect(stored.body.data).toHaveLength(4);
  });

  it('limits reads of a published form per client IP per form', async () => {
    const read = (client: string) =>
      api.http.get(`/api/v1/forms/${formId}/public`).set({ 'x-tenant-id': 'acme', 'x-forwarded-for': client });
    const answers = [await read('203.0.113.60'), await read('203.0.113.60'), await read('203.0.113.60')];
    expect(statuses(answers)).toEqual([200, 200, 429]);
    await read('203.0.113.61').expect(200);
  });

  it('counts a form id as the server reads it: case variants of one id share every per-form counter', async () => {
    // An id with at least three hex letters, so that four distinct spellings of it exist.
    let caseFormId = await createForm(api, owner, { title: 'Case', fields: WITH_FILE });
    while ((caseFormId.match(/[a-f]/g) ?? []).length < 3) {
      caseFormId = await createForm(api, owner, { title: 'Case', fields: WITH_FILE });
    }
    const spellings = caseVariants(caseFormId, 4);
    expect(new Set(spellings).size).toBe(4);
    const client = '203.0.113.90';
    const anonymous = { 'x-tenant-id': 'acme', 'x-forwarded-for': client };

    const submitted = [];
    for (const spelling of spellings) submitted.push(await submit(spelling, client));
    // Limit 3: the fourth spelling is the same form, not a fresh counter.
    expect(statuses(submitted)).toEqual([201, 201, 201, 429]);

    const uploaded = [];
    for (const spelling of spellings) {
      uploaded.push(
        await api.http
          .post(`/api/v1/forms/${spelling}/files`)
          .set(anonymous)
          .attach('file', Buffer.from('cv'), { filename: 'cv.txt', contentType: 'text/plain' }),
      );
    }
    expect(statuses(uploaded)).toEqual([201, 201, 201, 429]);

    const read = [];
    for (const spelling of spellings.slice(0, 3)) {
      read.push(await api.http.get(`/api/v1/forms/${spelling}/public`).set(anonymous));
    }
    expect(statuses(read)).toEqual([200, 200, 429]);
    // Only the three counted submissions were stored.
    const stored = await api.http.get(`/api/v1/forms/${caseFormId}/responses`).set(owner.headers).expect(200);
    expect(stored.body.data).toHaveLength(3);
  });

  it('limits submissions and uploads per client IP across every form and tenant: more forms are no more allowance', async () => {
    // A second tenant, its owner signed in from an address of its own (accept calls count per IP).
    await createTenant(api, 'globex');
    const accepted = await api.http
      .post('/api/v1/auth/invitations/accept')
      .set({ 'x-tenant-id': 'globex', 'x-forwarded-for': '192.0.2.180' })
      .send({
        token: await operatorInviteToken(api, 'globex', 'owner@globex.test', 'owner'),
        name: 'G',
        password: 'password-123',
      })
      .expect(201);
    const globexOwner = { headers: bearer(accepted.body.access_token as string) } as SignedInUser;
    const acmeForms = [];
    for (let index = 0; index < 4; index += 1) {
      acmeForms.push(await createForm(api, owner, { title: `Spread ${index}`, fields: WITH_FILE }));
    }
    const [a, b, c, d] = acmeForms;
    const globexForm = await createForm(api, globexOwner, { title: 'Elsewhere', fields: WITH_FILE });
    const submitTo = (tenant: string, form: string, client: string) =>
      api.http
        .post(`/api/v1/forms/${form}/submit`)
        .set({ 'x-tenant-id': tenant, 'x-forwarded-for': client })
        .send({ data: { email: 'visitor@example.com' } });
    const uploadTo = (tenant: string, form: string, client: string) =>
      api.http
        .post(`/api/v1/forms/${form}/files`)
        .set({ 'x-tenant-id': tenant, 'x-forwarded-for': client })
        .attach('file', Buffer.from('cv'), { filename: 'cv.txt', contentType: 'text/plain' });

    // Limit 3 per form, 5 per client across forms: two forms of acme and one of globex, each under its
    // own limit, use up the client's five; a fresh form then answers 429 all the same.
    const spreader = '203.0.113.120';
    const submitted = [];
    for (const [tenant, form] of [
      ['acme', a],
      ['acme', a],
      ['acme', b],
      ['acme', b],
      ['globex', globexForm],
      ['acme', d],
    ]) {
      submitted.push(await submitTo(tenant, form, spreader));
    }
    expect(statuses(submitted)).toEqual([201, 201, 201, 201, 201, 429]);
    const limited = submitted[5];
    expect(limited.body).toEqual({ statusCode: 429, error: 'rate_limited', message: expect.any(String) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // The refused submission stored nothing; another client is not held back by this one.
    const storedInD = await api.http.get(`/api/v1/forms/${d}/responses`).set(owner.headers).expect(200);
    expect(storedInD.body.data).toHaveLength(0);
    await submitTo('acme', d, '203.0.113.121').expect(201);

    // Calls one form refuses do not use up the client's allowance for other forms (respondents
    // behind one NAT crowding one form still reach the others): 3 + 1 refused at c, then 2 more fit.
    const crowd = '203.0.113.122';
    const crowded = [];
    for (const form of [c, c, c, c, a, b, d]) crowded.push(await submitTo('acme', form, crowd));
    expect(statuses(crowded)).toEqual([201, 201, 201, 429, 201, 201, 429]);

    // Public uploads alike, under their own pair of limits.
    const uploader = '203.0.113.123';
    const uploaded = [];
    for (const [tenant, form] of [
      ['acme', a],
      ['acme', b],
      ['acme', c],
      ['globex', globexForm],
      ['acme', a],
      ['acme', d],
    ]) {
      uploaded.push(await uploadTo(tenant, form, uploader));
    }
    expect(statuses(uploaded)).toEqual([201, 201, 201, 201, 201, 429]);
    await uploadTo('acme', d, '203.0.113.124').expect(201);
  });

  it('counts register, accept and password-reset calls per client IP together', async () => {
    const client = '198.51.100.7';
    const anonymous = { 'x-tenant-id': 'acme', 'x-forwarded-for': client };
    const answers = [
      await api.http
        .post('/api/v1/auth/register')
        .set(anonymous)
        .send({ email: 'r1@x.test', password: 'password-123', name: 'R' }),
      await api.http
        .post('/api/v1/auth/invitations/accept')
        .set(anonymous)
        .send({ token: 'x.y', name: 'R', password: 'password-123' }),
      await api.http.post('/api/v1/auth/password-reset').set(anonymous).send({ email: 'r2@x.test' }),
      await api.http
        .post('/api/v1/auth/password-reset/confirm')
        .set(anonymous)
        .send({ token: 'x.y', password: 'password-123' }),
      await api.http
        .post('/api/v1/auth/register')
        .set(anonymous)
        .send({ email: 'r3@x.test', password: 'password-123', name: 'R' }),
    ];
    expect(statuses(answers)).toEqual([201, 400, 202, 400, 429]);
    // The refused registration created nobody.
    await login('r3@x.test', 'password-123', '192.0.2.99').expect(401);
  });

  it('limits reset emails per address, whether or not it belongs to a member', async () => {
    const reset = (email: string, client: string) =>
      api.http
        .post('/api/v1/auth/password-reset')
        .set({ 'x-tenant-id': 'acme', 'x-forwarded-for': client })
        .send({ email });
    const unknown = [
      await reset('nobody@x.test', '192.0.2.1'),
      await reset('NOBODY@x.test', '192.0.2.2'),
      await reset('nobody@x.test', '192.0.2.3'),
    ];
    const member = [
      await reset(owner.email, '192.0.2.4'),
      await reset(owner.email, '192.0.2.5'),
      await reset(owner.email, '192.0.2.6'),
    ];
    expect(statuses(unknown)).toEqual([202, 202, 429]);
    expect(statuses(member)).toEqual([202, 202, 429]);
  });

  it('counts failed logins per email before checking the password: parallel guesses cannot pass the limit', async () => {
    const victim = await addMember(api, 'acme', 'victim@acme.test', 'viewer');
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => login(victim.email, `guess-${index}-wrong`, `192.0.2.${100 + index}`)),
    );
    const counted = statuses(guesses).sort();
    expect(counted).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    // Locked out for the window, even with the right password.
    await login(victim.email, 'password-123', '192.0.2.200').expect(429);
  });

  it('takes back the attempt of a successful login, and limits logins per client IP', async () => {
    await addMember(api, 'acme', 'steady@acme.test', 'viewer');
    const client = '192.0.2.250';
    const answers = [];
    for (let index = 0; index < 6; index += 1) answers.push(await login('steady@acme.test', 'password-123', client));
    // Five right logins in a row never reach the failed-login limit of 3; the sixth passes the IP's limit.
    expect(statuses(answers)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts wrong current passwords per user before checking them, and takes back the right one', async () => {
    const member = await viewer('changer@acme.test');
    const answers = [await changePassword(member, 'wrong-guess-1'), await changePassword(member, 'wrong-guess-2')];
    const changed = await changePassword(member, 'password-123', 'changed-password-1');
    expect(changed.status).toBe(200);
    // The earlier token stopped working; the answer's token is the member's now.
    const headers = bearer(changed.body.access_token);
    answers.push(await changePassword(headers, 'wrong-guess-3'), await changePassword(headers, 'wrong-guess-4'));
    // Limit 3: the right password did not count, so the third wrong one is still checked; the fourth is refused.
    expect(statuses(answers)).toEqual([401, 401, 401, 429]);
    const limited = answers[3];
    expect(limited.body).toEqual({ statusCode: 429, error: 'rate_limited', message: expect.any(String) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(900);
    // Locked for the window, even with the right password; the password stays what it was.
    await changePassword(headers, 'changed-password-1', 'another-password-1').expect(429);
    await login('changer@acme.test', 'changed-password-1', '192.0.2.150').expect(200);
  });

  it('counts password-change failures atomically: parallel guesses cannot pass the limit, other users keep theirs', async () => {
    const member = await viewer('guessed@acme.test');
    const bystander = await viewer('bystander@acme.test');
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => changePassword(member, `parallel-guess-${index}`)),
    );
    expect(statuses(guesses).sort()).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    await changePassword(bystander, 'not-the-password').expect(401);
    await changePassword(bystander, 'password-123').expect(200);
  });

  it('counts wrong or missing admin keys per client IP, on the admin API and the queue dashboard alike', async () => {
    const attacker = '198.51.100.66';
    const answers = [
      await adminCall(attacker, 'wrong-key-0123456789-a'),
      await dashboardCall(attacker, 'wrong-key-0123456789-b'),
      await adminCall(attacker),
      await adminCall(attacker, 'wrong-key-0123456789-c'),
      await dashboardCall(attacker),
    ];
    expect(statuses(answers)).toEqual([401, 401, 401, 429, 429]);
    expect(answers[3].body).toEqual({ statusCode: 429, error: 'rate_limited', message: expect.any(String) });
    expect(Number(answers[3].headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(Number(answers[4].headers['retry-after'])).toBeGreaterThan(0);
    expect(answers[4].headers['www-authenticate']).toBeUndefined();
    // Locked out for the window, the right key included: guessing cannot go on by telling 200 from 429.
    await adminCall(attacker, TEST_ADMIN_KEY).expect(429);
    // The operator, from another address, is not slowed down by it; right keys never count.
    for (let index = 0; index < 5; index += 1) await adminCall('192.0.2.210', TEST_ADMIN_KEY).expect(200);
    await dashboardCall('192.0.2.210', TEST_ADMIN_KEY).expect(200);
  });

  it('counts admin-key failures atomically: parallel guesses cannot pass the limit', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => adminCall('198.51.100.67', `parallel-wrong-key-${index}-0123456789`)),
    );
    expect(statuses(guesses).sort()).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
  });

  it('trusts X-Forwarded-For only as far as TRUST_PROXY says', async () => {
    // With TRUST_PROXY=1 only the last hop counts: a client cannot pick a fresh bucket by prepending addresses.
    const answers = [];
    for (let index = 0; index < 4; index += 1) {
      answers.push(await submit(otherFormId, `10.9.9.${index}, 203.0.113.77`));
    }
    expect(statuses(answers)).toEqual([201, 201, 201, 429]);
  });

  it('lets submissions through while Redis is down, and refuses logins, password changes and admin keys (503) rather than count nothing', async () => {
    await redis.stop();
    const answers = [];
    for (let index = 0; index < 5; index += 1) answers.push(await submit(formId, '203.0.113.50'));
    expect(statuses(answers)).toEqual([201, 201, 201, 201, 201]);
    const refused = await login(owner.email, 'password-123', '203.0.113.51');
    expect([refused.status, refused.body.error]).toEqual([503, 'service_unavailable']);
    // Password changes and admin keys are refused alike: no secret is guessed uncounted.
    const change = await changePassword(owner.headers, 'password-123');
    expect([change.status, change.body.error]).toEqual([503, 'service_unavailable']);
    for (const key of [TEST_ADMIN_KEY, 'wrong-key-0123456789-z']) {
      const admin = await adminCall('203.0.113.52', key);
      expect([admin.status, admin.body.error]).toEqual([503, 'service_unavailable']);
    }
    redis = await startRedisServer(redis.port);
  });
});
