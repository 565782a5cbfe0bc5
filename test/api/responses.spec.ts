import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AccessTokenService } from '../../src/infrastructure/auth/access-token.service.js';
import type { EventEnvelope } from '../../src/modules/events/event.types.js';
import { bearer, createForm, createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

const allTypes = [
  { key: 'name', type: 'text', label: 'Name', required: true, max_length: 10, pattern: '^[A-Z]' },
  { key: 'bio', type: 'textarea', label: 'Bio' },
  { key: 'email', type: 'email', label: 'Email' },
  { key: 'age', type: 'number', label: 'Age', min: 18, max: 120 },
  { key: 'color', type: 'select', label: 'Color', options: ['red', 'green'] },
  { key: 'tags', type: 'multiselect', label: 'Tags', options: ['a', 'b', 'c'], max: 2 },
  { key: 'terms', type: 'checkbox', label: 'Terms', required: true },
  { key: 'born', type: 'date', label: 'Born' },
  { key: 'site', type: 'url', label: 'Site' },
  { key: 'cv', type: 'file', label: 'CV' },
];

const validData = {
  name: 'Ada',
  bio: 'Mathematician',
  email: 'ada@example.com',
  age: 36,
  color: 'green',
  tags: ['a', 'c'],
  terms: true,
  born: '1815-12-10',
  site: 'https://example.com/ada',
};

describe('submissions and responses', () => {
  let api: E2eApp;
  let owner: SignedInUser;
  let formId: string;
  const submitted: EventEnvelope<'response.submitted'>[] = [];

  const submit = (id: string, data: unknown, headers: Record<string, string> = { 'x-tenant-id': 'acme' }) =>
    api.http
      .post(`/api/v1/forms/${id}/submit`)
      .set(headers)
      .send(data === undefined ? undefined : { data });

  beforeAll(async () => {
    useTestEnvironment('responses', { LOG_LEVEL: 'error' });
    api = await createE2eApp();
    api.app
      .get(EventEmitter2)
      .on('response.submitted', (event: EventEnvelope<'response.submitted'>) => submitted.push(event));
    await createTenant(api, 'acme', { max_responses_per_form: 25 });
    await createTenant(api, 'globex');
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner, { title: 'Everything', fields: allTypes });
  });

  afterAll(() => api.close());

  it('stores a valid submission and emits response.submitted with the envelope', async () => {
    const created = await submit(formId, validData).expect(201);
    expect(created.body).toEqual({ response_id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    const stored = await api.http.get(`/api/v1/responses/${created.body.response_id}`).set(owner.headers).expect(200);
    expect(stored.body).toEqual({
      response_id: created.body.response_id,
      form_id: formId,
      form_version: 1,
      data: validData,
      spam: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(submitted.at(-1)).toMatchObject({
      event_type: 'response.submitted',
      tenant_id: 'acme',
      user_id: null,
      entity_id: created.body.response_id,
      payload: { response_id: created.body.response_id, form_id: formId, form_version: 1, data: validData },
    });
  });

  it('reports every problem at once, unknown keys included, and stores nothing', async () => {
    const before = submitted.length;
    const refused = await submit(formId, {
      name: 'lowercase and far too long',
      email: 'not-an-email',
      age: 12,
      color: 'blue',
      tags: ['a', 'b', 'c'],
      terms: false,
      born: '2023-02-30',
      site: 'javascript:alert(1)',
      cv: 'nope',
      extra: 1,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('validation_failed');
    expect(refused.body.details).toEqual([
      { field: 'data.name', message: 'must be at most 10 characters' },
      { field: 'data.email', message: 'must be an email' },
      { field: 'data.age', message: 'must be at least 18' },
      { field: 'data.color', message: 'must be one of the options' },
      { field: 'data.tags', message: 'must have at most 2 choices' },
      { field: 'data.terms', message: 'must be checked' },
      { field: 'data.born', message: 'must be a date (YYYY-MM-DD)' },
      { field: 'data.site', message: 'must be an http(s) URL' },
      { field: 'data.cv', message: 'must be a file_id' },
      { field: 'data.extra', message: 'is not a field of this form' },
    ]);
    const types = await submit(formId, { name: 42, age: '36', tags: 'a', terms: 'yes', bio: { $gt: '' } });
    expect(types.body.details).toEqual([
      { field: 'data.name', message: 'must be a string' },
      { field: 'data.bio', message: 'must be a string' },
      { field: 'data.age', message: 'must be a number' },
      { field: 'data.tags', message: 'must be a list of the options' },
      { field: 'data.terms', message: 'must be true or false' },
    ]);
    const missing = await submit(formId, { name: 'Bob' });
    expect(missing.body.details).toEqual([{ field: 'data.terms', message: 'is required' }]);
    const pattern = await submit(formId, { name: 'bob', terms: true });
    expect(pattern.body.details).toEqual([{ field: 'data.name', message: 'does not match the pattern' }]);
    expect(submitted).toHaveLength(before);
  });

  it('stores a filled honeypot as spam with the usual 201, emitting nothing; an empty one is dropped', async () => {
    const guarded = await createForm(api, owner, { title: 'Guarded', settings: { honeypot_field: 'website' } });
    const before = submitted.length;
    const bot = await submit(guarded, { email: 'bot@spam.test', website: 'http://spam.test' }).expect(201);
    expect(bot.body).toEqual({ response_id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    const spam = await api.http.get(`/api/v1/responses/${bot.body.response_id}`).set(owner.headers).expect(200);
    // The honeypot's value is never stored.
    expect(spam.body).toMatchObject({ spam: true, data: { email: 'bot@spam.test' } });
    expect(submitted).toHaveLength(before);

    const person = await submit(guarded, { email: 'person@example.com', website: '' }).expect(201);
    const stored = await api.http.get(`/api/v1/responses/${person.body.response_id}`).set(owner.headers).expect(200);
    expect(stored.body.data).toEqual({ email: 'person@example.com' });
    expect(stored.body.spam).toBe(false);
    const list = await api.http.get(`/api/v1/forms/${guarded}/responses`).set(owner.headers).expect(200);
    expect(list.body.data.map((row: { response_id: string }) => row.response_id)).toEqual([person.body.response_id]);
    // Operators see bots in /metrics.
    const metrics = await api.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/spam_stored_total\{reason="honeypot"\} 1/);
    // The public view does not give the honeypot away.
    const shown = await api.http.get(`/api/v1/forms/${guarded}/public`).set('x-tenant-id', 'acme').expect(200);
    expect(JSON.stringify(shown.body)).not.toContain('website');
  });

  it('checks patterns that backtrack exponentially elsewhere in linear time', async () => {
    const redos = await createForm(api, owner, {
      title: 'ReDoS',
      fields: [
        { key: 'alternation', type: 'text', label: 'A', pattern: '^(a|a)*$', max_length: 10_000 },
        // 15 RE2 instructions: at most 6,666 characters within the per-field budget.
        { key: 'stars', type: 'textarea', label: 'S', pattern: '^.*.*.*.*.*x$', max_length: 6_000 },
      ],
    });
    // 10 s and 13 s on a backtracking engine; with RE2 each is a few milliseconds.
    const refused = await submit(redos, { alternation: `${'a'.repeat(28)}!`, stars: 'y'.repeat(6_000) });
    expect(refused.body.details).toEqual([
      { field: 'data.alternation', message: 'does not match the pattern' },
      { field: 'data.stars', message: 'does not match the pattern' },
    ]);
    await submit(redos, { alternation: 'a'.repeat(10_000), stars: `${'y'.repeat(5_999)}x` }).expect(201);
  });

  it('refuses malformed bodies and idempotency keys', async () => {
    for (const body of [[1], { data: [] }, { data: validData, extra: true }, 'text']) {
      const refused = await api.http
        .post(`/api/v1/forms/${formId}/submit`)
        .set('x-tenant-id', 'acme')
        .send(body as object);
      expect(refused.status).toBe(400);
    }
    const badKey = await submit(formId, validData, { 'x-tenant-id': 'acme', 'idempotency-key': 'has space' });
    expect(badKey.status).toBe(400);
    expect(badKey.body.details).toEqual([
      { field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' },
    ]);
  });

  it("accepts a member's file_id of the same tenant only, from a member", async () => {
    const upload = await api.http
      .post('/api/v1/files')
      .set(owner.headers)
      .attach('file', Buffer.from('cv'), 'cv.txt')
      .expect(201);
    await submit(formId, { ...validData, cv: upload.body.file_id }, owner.headers).expect(201);
    // An anonymous submission may name only an upload to that form: a member's file answers like a missing one.
    const anonymous = await submit(formId, { ...validData, cv: upload.body.file_id });
    expect(anonymous.body.details).toEqual([{ field: 'data.cv', message: 'is not a file of this tenant' }]);
    const globexOwner = await addMember(api, 'globex');
    const foreign = await api.http
      .post('/api/v1/files')
      .set(globexOwner.headers)
      .attach('file', Buffer.from('cv'), 'cv.txt')
      .expect(201);
    const refused = await submit(formId, { ...validData, cv: foreign.body.file_id }, owner.headers);
    expect(refused.body.details).toEqual([{ field: 'data.cv', message: 'is not a file of this tenant' }]);
  });

  it('answers 409 for drafts, 410 for archived forms and 404 across tenants', async () => {
    const draftId = await createForm(api, owner, { title: 'Draft' }, false);
    const draft = await submit(draftId, { email: 'a@b.co' });
    expect([draft.status, draft.body.error]).toEqual([409, 'form_not_published']);
    const archivedId = await createForm(api, owner, { title: 'Archived' });
    await api.http.post(`/api/v1/forms/${archivedId}/archive`).set(owner.headers).expect(200);
    const archived = await submit(archivedId, { email: 'a@b.co' });
    expect([archived.status, archived.body.error]).toEqual([410, 'form_archived']);
    const elsewhere = await submit(formId, validData, { 'x-tenant-id': 'globex' });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toEqual({ statusCode: 404, error: 'not_found', message: 'Form not found' });
  });

  describe('Idempotency-Key', () => {
    it('answers the first response_id again and stores and emits nothing new', async () => {
      const headers = { 'x-tenant-id': 'acme', 'idempotency-key': 'retry-1' };
      const first = await submit(formId, validData, headers).expect(201);
      const before = submitted.length;
      const again = await submit(formId, validData, headers).expect(201);
      expect(again.body.response_id).toBe(first.body.response_id);
      expect(submitted).toHaveLength(before);
    });

    it('stores exactly one response for 20 concurrent requests with one key', async () => {
      const idemFormId = await createForm(api, owner, { title: 'Concurrent' });
      const headers = { 'x-tenant-id': 'acme', 'idempotency-key': 'burst-1' };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => submit(idemFormId, { email: 'burst@example.com' }, headers)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
      expect(new Set(answers.map((answer) => answer.body.response_id)).size).toBe(1);
      const listed = await api.http.get(`/api/v1/forms/${idemFormId}/responses`).set(owner.headers).expect(200);
      expect(listed.body.data.map((response: { response_id: string }) => response.response_id)).toEqual([
        answers[0].body.response_id,
      ]);
      expect(submitted.filter((event) => event.payload.form_id === idemFormId)).toHaveLength(1);
      // The slots of the 19 replays were given back: the form can still take its quota.
      const others = await Promise.all(
        Array.from({ length: 24 }, () => submit(idemFormId, { email: 'x@example.com' })),
      );
      expect(others.map((answer) => answer.status)).toEqual(Array(24).fill(201));
    });
  });

  it('enforces max_responses_per_form with 403 quota_exceeded, still answering known keys', async () => {
    const quotaFormId = await createForm(api, owner, { title: 'Quota' });
    const keyed = { 'x-tenant-id': 'acme', 'idempotency-key': 'quota-key' };
    const first = await submit(quotaFormId, { email: 'q@example.com' }, keyed).expect(201);
    await Promise.all(Array.from({ length: 24 }, () => submit(quotaFormId, { email: 'q@example.com' }).expect(201)));
    const over = await submit(quotaFormId, { email: 'q@example.com' });
    expect([over.status, over.body.error]).toEqual([403, 'quota_exceeded']);
    const replay = await submit(quotaFormId, { email: 'q@example.com' }, keyed).expect(201);
    expect(replay.body.response_id).toBe(first.body.response_id);
  });

  describe('listing and editing', () => {
    let listFormId: string;
    const ids: string[] = [];

    beforeAll(async () => {
      listFormId = await createForm(api, owner, { title: 'Listing' });
      for (let index = 0; index < 5; index += 1) {
        ids.unshift((await submit(listFormId, { email: `r${index}@example.com` }).expect(201)).body.response_id);
      }
    });

    it('pages newest first and filters by created_at', async () => {
      const seen: string[] = [];
      let cursor = '';
      do {
        const page = await api.http
          .get(`/api/v1/forms/${listFormId}/responses?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set(owner.headers)
          .expect(200);
        seen.push(...page.body.data.map((response: { response_id: string }) => response.response_id));
        cursor = page.body.next_cursor ?? '';
      } while (cursor);
      expect(seen).toEqual(ids);
      const future = await api.http
        .get(`/api/v1/forms/${listFormId}/responses?from=2999-01-01T00:00:00Z`)
        .set(owner.headers)
        .expect(200);
      expect(future.body).toEqual({ data: [], next_cursor: null });
      const past = await api.http
        .get(`/api/v1/forms/${listFormId}/responses?to=2999-01-01T00:00:00Z&from=2000-01-01T00:00:00Z`)
        .set(owner.headers)
        .expect(200);
      expect(past.body.data).toHaveLength(5);
      const badDate = await api.http.get(`/api/v1/forms/${listFormId}/responses?from=yesterday`).set(owner.headers);
      expect(badDate.status).toBe(400);
    });

    it('validates an update against the version the response was submitted to', async () => {
      await api.http
        .patch(`/api/v1/forms/${listFormId}`)
        .set(owner.headers)
        .send({ fields: [{ key: 'phone', type: 'text', label: 'Phone', required: true }] })
        .expect(200);
      await api.http.post(`/api/v1/forms/${listFormId}/publish`).set(owner.headers).expect(200);
      const events: EventEnvelope[] = [];
      api.app.get(EventEmitter2).once('response.updated', (event: EventEnvelope) => events.push(event));

      const refused = await api.http
        .patch(`/api/v1/responses/${ids[0]}`)
        .set(owner.headers)
        .send({ data: { phone: '1' } });
      expect(refused.body.details).toEqual([
        { field: 'data.email', message: 'is required' },
        { field: 'data.phone', message: 'is not a field of this form' },
      ]);
      const updated = await api.http
        .patch(`/api/v1/responses/${ids[0]}`)
        .set(owner.headers)
        .send({ data: { email: 'fixed@example.com', message: 'edited' } })
        .expect(200);
      expect(updated.body).toMatchObject({ form_version: 1, data: { email: 'fixed@example.com', message: 'edited' } });
      expect(events[0]).toMatchObject({ event_type: 'response.updated', entity_id: ids[0], user_id: owner.user_id });
      const newVersion = await submit(listFormId, { phone: '555' }).expect(201);
      const stored = await api.http
        .get(`/api/v1/responses/${newVersion.body.response_id}`)
        .set(owner.headers)
        .expect(200);
      expect(stored.body.form_version).toBe(2);
    });

    it('lets viewers read but not edit responses, and needs a token', async () => {
      const viewer = bearer(
        await api.app.get(AccessTokenService).sign({ sub: owner.user_id, tenant_id: 'acme', role: 'viewer', ver: 0 }),
      );
      await api.http.get(`/api/v1/responses/${ids[1]}`).set(viewer).expect(200);
      const refused = await api.http
        .patch(`/api/v1/responses/${ids[1]}`)
        .set(viewer)
        .send({ data: { email: 'v@example.com' } });
      expect(refused.status).toBe(403);
      const anonymous = await api.http.get(`/api/v1/forms/${listFormId}/responses`).set('x-tenant-id', 'acme');
      expect(anonymous.status).toBe(401);
      const malformed = await api.http.get('/api/v1/responses/xyz').set(owner.headers);
      expect([malformed.status, malformed.body.error]).toEqual([404, 'not_found']);
    });
  });
});
