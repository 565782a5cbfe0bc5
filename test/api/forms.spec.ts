import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AccessTokenService } from '../../src/infrastructure/auth/access-token.service.js';
import type { EventEnvelope } from '../../src/modules/events/event.types.js';
import { bearer, createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

describe('forms', () => {
  let api: E2eApp;
  let owner: SignedInUser;
  let viewerHeaders: { authorization: string };
  const events: EventEnvelope<'form.created' | 'form.updated' | 'form.published' | 'form.archived'>[] = [];

  const fields = [
    { key: 'email', type: 'email', label: 'Email', required: true },
    { key: 'color', type: 'select', label: 'Color', options: ['red', 'green'] },
  ];
  const create = (body: object, headers = owner.headers) => api.http.post('/api/v1/forms').set(headers).send(body);

  beforeAll(async () => {
    useTestEnvironment('forms', { LOG_LEVEL: 'error' });
    api = await createE2eApp();
    for (const type of ['form.created', 'form.updated', 'form.published', 'form.archived']) {
      api.app.get(EventEmitter2).on(type, (event: (typeof events)[number]) => {
        // The quota tests below use tenants of their own.
        if (event.tenant_id === 'acme') events.push(event);
      });
    }
    await createTenant(api, 'acme');
    owner = await addMember(api, 'acme');
    const viewerToken = await api.app
      .get(AccessTokenService)
      .sign({ sub: owner.user_id, tenant_id: 'acme', role: 'viewer', ver: 0 });
    viewerHeaders = bearer(viewerToken);
  });

  afterAll(() => api.close());

  it('creates a draft form with a slug from its title and emits form.created', async () => {
    const created = await create({ title: 'Contact Us — Café!', fields }).expect(201);
    expect(created.body).toEqual({
      form_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      title: 'Contact Us — Café!',
      slug: 'contact-us-cafe',
      description: '',
      status: 'draft',
      version: 0,
      fields,
      settings: {
        send_notification: false,
        notification_emails: [],
        honeypot_field: null,
        captcha: null,
        autoresponse: null,
        success_url: null,
        error_url: null,
      },
      owner_id: owner.user_id,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(events.at(-1)).toMatchObject({
      event_type: 'form.created',
      tenant_id: 'acme',
      user_id: owner.user_id,
      entity_id: created.body.form_id,
      payload: { form_id: created.body.form_id, slug: 'contact-us-cafe' },
      metadata: { source: 'api' },
    });
    expect(events.at(-1)?.event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps slugs unique per tenant: an explicit duplicate is 409, a derived one gets a suffix', async () => {
    const duplicate = await create({ title: 'Other', slug: 'contact-us-cafe' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toBe('conflict');
    const derived = await create({ title: 'Contact us cafe' }).expect(201);
    expect(derived.body.slug).toMatch(/^contact-us-cafe-[0-9a-f]{6}$/);
  });

  it('refuses bad field definitions with every problem at once', async () => {
    const definitions = [
      { key: 'a', type: 'select', label: 'A' },
      { key: 'a', type: 'text', label: 'A again', options: ['x'] },
      // A back-reference and a look-ahead: a linear-time engine cannot run them.
      { key: 'b', type: 'text', label: 'B', pattern: '^(a+)\\1$' },
      { key: 'c', type: 'text', label: 'C', pattern: '^(?=x)' },
      { key: 'd', type: 'number', label: 'D', min: 5, max: 1 },
    ];
    const malformed = await create({
      title: 'Bad',
      fields: [...definitions, { key: '$where', type: 'colour', label: '' }],
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('validation_failed');
    expect(malformed.body.details.map((detail: { field: string }) => detail.field)).toEqual(
      expect.arrayContaining(['fields.5.key', 'fields.5.type', 'fields.5.label']),
    );
    const inconsistent = await create({ title: 'Bad', fields: definitions });
    expect(inconsistent.status).toBe(400);
    expect(inconsistent.body.details.map((detail: { field: string }) => detail.field)).toEqual([
      'fields.0.options',
      'fields.1.key',
      'fields.1.options',
      'fields.2.pattern',
      'fields.3.pattern',
      'fields.4.min',
    ]);
  });

  it('lets viewers read but not write, and needs a token', async () => {
    const refused = await create({ title: 'Nope' }, viewerHeaders);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('forbidden');
    await api.http.get('/api/v1/forms').set(viewerHeaders).expect(200);
    const anonymous = await api.http.get('/api/v1/forms').set('x-tenant-id', 'acme');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('unauthorized');
  });

  it('pages through forms newest first and filters by status', async () => {
    const first = await api.http.get('/api/v1/forms?limit=1').set(owner.headers).expect(200);
    expect(first.body.data).toHaveLength(1);
    expect(first.body.data[0].title).toBe('Contact us cafe');
    const second = await api.http
      .get(`/api/v1/forms?limit=1&cursor=${first.body.next_cursor}`)
      .set(owner.headers)
      .expect(200);
    expect(second.body.data[0].title).toBe('Contact Us — Café!');
    expect(second.body.next_cursor).toBeNull();
    const drafts = await api.http.get('/api/v1/forms?status=draft').set(owner.headers).expect(200);
    expect(drafts.body.data).toHaveLength(2);
    const published = await api.http.get('/api/v1/forms?status=published').set(owner.headers).expect(200);
    expect(published.body).toEqual({ data: [], next_cursor: null });
  });

  it('refuses query operators, unknown statuses and foreign cursors in the query string', async () => {
    for (const query of ['status[$ne]=draft', 'status=deleted', 'cursor=bm90LWEtY3Vyc29y', 'limit=1000']) {
      const refused = await api.http.get(`/api/v1/forms?${query}`).set(owner.headers);
      expect({ query, status: refused.status, error: refused.body.error }).toEqual({
        query,
        status: 400,
        error: 'validation_failed',
      });
    }
  });

  it('answers 404 for malformed and unknown form ids', async () => {
    for (const id of ['not-an-id', '0123456789abcdef01234567']) {
      const missing = await api.http.get(`/api/v1/forms/${id}`).set(owner.headers);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ statusCode: 404, error: 'not_found', message: 'Form not found' });
    }
  });

  describe('lifecycle', () => {
    let formId: string;

    beforeAll(async () => {
      formId = (await create({ title: 'Lifecycle', fields }).expect(201)).body.form_id;
    });

    it('updates the working copy and checks slug uniqueness first', async () => {
      const updated = await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({ description: 'Tell us', settings: { send_notification: true } })
        .expect(200);
      expect(updated.body).toMatchObject({
        description: 'Tell us',
        settings: { send_notification: true, notification_emails: [] },
        status: 'draft',
      });
      const taken = await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({ slug: 'contact-us-cafe' });
      expect(taken.status).toBe(409);
      const unknownKey = await api.http.patch(`/api/v1/forms/${formId}`).set(owner.headers).send({ owner_id: 'x' });
      expect(unknownKey.status).toBe(400);
      expect(events.at(-1)).toMatchObject({
        event_type: 'form.updated',
        payload: { changed: ['description', 'settings'] },
      });
    });

    it('refuses patterns that would cost more to check than a field or a submission may, on create and update', async () => {
      // The form that held the event loop for 2.7 s: ten text fields, `[a-z]{97}$`, no max_length.
      const attack = Array.from({ length: 10 }, (_, index) => ({
        key: `f${index}`,
        type: 'text',
        label: `F${index}`,
        pattern: '[a-z]{97}$',
      }));
      const unbounded = await create({ title: 'Attack', fields: attack });
      expect(unbounded.status).toBe(400);
      expect(unbounded.body.error).toBe('validation_failed');
      expect(unbounded.body.details).toHaveLength(10);
      expect(unbounded.body.details[9]).toEqual({
        field: 'fields.9.max_length',
        message: 'a field with a pattern needs a max_length (at most 1,000 with this pattern)',
      });
      const long = await create({
        title: 'Attack',
        fields: attack.map((field) => ({ ...field, max_length: 100_000 })),
      });
      expect(long.status).toBe(400);
      expect(long.body.details[0].message).toMatch(/^max_length must be at most 1,000 with this pattern/);
      const many = await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({ fields: attack.map((field) => ({ ...field, max_length: 1_000 })) });
      expect(many.status).toBe(400);
      expect(many.body.details).toEqual([{ field: 'fields', message: expect.stringMatching(/at most 500,000;/) }]);
      const unchanged = await api.http.get(`/api/v1/forms/${formId}`).set(owner.headers).expect(200);
      expect(unchanged.body.fields).toEqual(fields);
    });

    it('publishes immutable versions; later edits do not change the published one', async () => {
      const v1 = await api.http.post(`/api/v1/forms/${formId}/publish`).set(owner.headers).expect(200);
      expect(v1.body).toMatchObject({ status: 'published', version: 1 });
      await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({ title: 'Lifecycle v2', fields: [{ key: 'name', type: 'text', label: 'Name' }] })
        .expect(200);
      const publicV1 = await api.http.get(`/api/v1/forms/${formId}/public`).set('x-tenant-id', 'acme').expect(200);
      expect(publicV1.body).toEqual({
        form_id: formId,
        title: 'Lifecycle',
        description: 'Tell us',
        version: 1,
        fields,
      });

      const v2 = await api.http.post(`/api/v1/forms/${formId}/publish`).set(owner.headers).expect(200);
      expect(v2.body.version).toBe(2);
      expect(events.at(-1)).toMatchObject({ event_type: 'form.published', payload: { version: 2 } });
      const versions = await api.http.get(`/api/v1/forms/${formId}/versions`).set(viewerHeaders).expect(200);
      expect(
        versions.body.data.map((version: { version: number; title: string }) => [version.version, version.title]),
      ).toEqual([
        [2, 'Lifecycle v2'],
        [1, 'Lifecycle'],
      ]);
      // Lists leave fields out; one version has them.
      expect(versions.body.data[1]).not.toHaveProperty('fields');
      expect(versions.body.next_cursor).toBeNull();
      const first = await api.http.get(`/api/v1/forms/${formId}/versions/1`).set(viewerHeaders).expect(200);
      expect(first.body).toMatchObject({ form_id: formId, version: 1, title: 'Lifecycle', fields });
      for (const missing of ['3', 'latest']) {
        const answer = await api.http.get(`/api/v1/forms/${formId}/versions/${missing}`).set(viewerHeaders);
        expect([answer.status, answer.body.error]).toEqual([404, 'not_found']);
      }
      const firstPage = await api.http.get(`/api/v1/forms/${formId}/versions?limit=1`).set(viewerHeaders).expect(200);
      expect(firstPage.body.data.map((version: { version: number }) => version.version)).toEqual([2]);
      const secondPage = await api.http
        .get(`/api/v1/forms/${formId}/versions?limit=1&cursor=${firstPage.body.next_cursor}`)
        .set(viewerHeaders)
        .expect(200);
      expect(secondPage.body).toMatchObject({ data: [{ version: 1 }], next_cursor: null });
    });

    it('archives once; an archived form can no longer change', async () => {
      const archived = await api.http.post(`/api/v1/forms/${formId}/archive`).set(owner.headers).expect(200);
      expect(archived.body.status).toBe('archived');
      expect(events.at(-1)).toMatchObject({ event_type: 'form.archived', entity_id: formId });
      const eventCount = events.length;
      await api.http.post(`/api/v1/forms/${formId}/archive`).set(owner.headers).expect(200);
      expect(events).toHaveLength(eventCount);
      for (const change of [
        api.http.patch(`/api/v1/forms/${formId}`).set(owner.headers).send({ title: 'x' }),
        api.http.post(`/api/v1/forms/${formId}/publish`).set(owner.headers),
      ]) {
        const refused = await change;
        expect(refused.status).toBe(409);
        expect(refused.body.error).toBe('form_archived');
      }
      const gone = await api.http.get(`/api/v1/forms/${formId}/public`).set('x-tenant-id', 'acme');
      expect(gone.status).toBe(410);
      expect(gone.body.error).toBe('form_archived');
    });
  });

  it('sends notifications to members only, and keeps the honeypot off the form’s own fields', async () => {
    const refused = await create({
      title: 'Leaky',
      fields,
      settings: { notification_emails: [owner.email, 'stranger@elsewhere.test'], honeypot_field: 'email' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      { field: 'settings.honeypot_field', message: 'must not be the key of one of the form’s fields' },
      { field: 'settings.notification_emails.1', message: 'must be the email of a member of this tenant' },
    ]);
    const badKey = await create({ title: 'Bad honeypot', settings: { honeypot_field: '$where' } });
    expect(badKey.body.details).toEqual([{ field: 'settings.honeypot_field', message: expect.any(String) }]);
    const accepted = await create({
      title: 'Guarded',
      fields,
      settings: { notification_emails: [owner.email.toUpperCase()], honeypot_field: 'website' },
    }).expect(201);
    expect(accepted.body.settings).toEqual({
      send_notification: false,
      notification_emails: [owner.email.toUpperCase()],
      honeypot_field: 'website',
      captcha: null,
      autoresponse: null,
      success_url: null,
      error_url: null,
    });
    // A later change of fields cannot take the honeypot's key.
    const collision = await api.http
      .patch(`/api/v1/forms/${accepted.body.form_id}`)
      .set(owner.headers)
      .send({ fields: [...fields, { key: 'website', type: 'url', label: 'Site' }] });
    expect(collision.body.details).toEqual([
      { field: 'settings.honeypot_field', message: 'must not be the key of one of the form’s fields' },
    ]);
    const list = await api.http.get('/api/v1/forms').set(owner.headers).expect(200);
    expect(list.body.data.every((form: object) => !('fields' in form))).toBe(true);
    await api.http.post(`/api/v1/forms/${accepted.body.form_id}/archive`).set(owner.headers).expect(200);
  });

  it('answers 409 form_not_published for the public view of a draft', async () => {
    const draft = await create({ title: 'Draft only' }).expect(201);
    const refused = await api.http.get(`/api/v1/forms/${draft.body.form_id}/public`).set('x-tenant-id', 'acme');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('form_not_published');
  });

  describe('max_forms', () => {
    const signedInto = async (tenant: string, max_forms: number) => {
      await createTenant(api, tenant, { max_forms });
      return addMember(api, tenant);
    };

    it('answers 403 quota_exceeded at the cap; archiving frees no slot, deleting does', async () => {
      const member = await signedInto('capped', 2);
      const first = await create({ title: 'One' }, member.headers).expect(201);
      await create({ title: 'Two' }, member.headers).expect(201);
      const over = await create({ title: 'Three' }, member.headers);
      expect([over.status, over.body.error]).toEqual([403, 'quota_exceeded']);
      await api.http.post(`/api/v1/forms/${first.body.form_id}/archive`).set(member.headers).expect(200);
      const afterArchive = await create({ title: 'Three' }, member.headers);
      expect([afterArchive.status, afterArchive.body.error]).toEqual([403, 'quota_exceeded']);
      await api.http.delete(`/api/v1/forms/${first.body.form_id}`).set(member.headers).expect(204);
      await create({ title: 'Three' }, member.headers).expect(201);
    });

    it('lets exactly one of many parallel creates take the last slot', async () => {
      const member = await signedInto('racing', 3);
      await create({ title: 'One' }, member.headers).expect(201);
      await create({ title: 'Two' }, member.headers).expect(201);
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, index) => create({ title: `Race ${index}` }, member.headers)),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([201, 403, 403, 403, 403, 403, 403, 403]);
      const listed = await api.http.get('/api/v1/forms').set(member.headers).expect(200);
      expect(listed.body.data).toHaveLength(3);
    });
  });

  it('gives every form event the full envelope', () => {
    expect(new Set(events.map((event) => event.event_type))).toEqual(
      new Set(['form.created', 'form.updated', 'form.published', 'form.archived']),
    );
    for (const event of events) {
      expect(event).toEqual({
        event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        event_type: event.event_type,
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        tenant_id: 'acme',
        user_id: owner.user_id,
        entity_id: event.payload.form_id,
        payload: expect.objectContaining({ form_id: expect.stringMatching(/^[0-9a-f]{24}$/) }),
        metadata: { request_id: expect.any(String), source: 'api' },
      });
    }
  });
});
