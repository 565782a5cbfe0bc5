import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import { EJSON } from 'bson';
import type { Connection } from 'mongoose';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { type CaptchaProviderStandIn, startCaptchaProvider } from '../support/captcha-provider.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

const SECRETS = {
  turnstile: '0x4AAAAAAA-turnstile-secret-5b1f0c',
  hcaptcha: '0x7d9e-hcaptcha-secret-41aa90',
  recaptcha: '6Lc-recaptcha-secret-c03e2d',
};
const TIMEOUT_MS = 300;
const captchaOf = (provider: keyof typeof SECRETS, siteKey = `site-${provider}`) => ({
  provider,
  site_key: siteKey,
  secret_key: SECRETS[provider],
});

describe('captchas: the form setting and the server-side check of every submission', () => {
  let provider: CaptchaProviderStandIn;
  let api: E2eApp;
  let owner: SignedInUser;
  let formId: string;

  const db = () => {
    const database = api.app.get<Connection>(getConnectionToken()).db;
    if (!database) throw new Error('not connected');
    return database;
  };
  const submit = (id: string, data: object, headers: Record<string, string> = {}) =>
    api.http
      .post(`/api/v1/forms/${id}/submit`)
      .set({ 'x-tenant-id': 'acme', ...headers })
      .send({ data });
  const withToken = (token: string) => ({ 'x-captcha-token': token });
  const valid = { email: 'visitor@example.com', message: 'Hello' };
  /** What the form holds: its responses (through the API) and its `response.submitted` envelopes (stored). */
  const stored = async (id: string) => ({
    responses: (await api.http.get(`/api/v1/forms/${id}/responses`).set(owner.headers).expect(200)).body.data.length,
    events: await db().collection('events').countDocuments({ event_type: 'response.submitted', 'payload.form_id': id }),
  });
  const refusedWith = async (id: string, status: number, error: string, headers: Record<string, string>) => {
    const before = await stored(id);
    const refused = await submit(id, valid, headers);
    expect([refused.status, refused.body]).toEqual([
      status,
      { statusCode: status, error, message: expect.any(String) },
    ]);
    expect(await stored(id)).toEqual(before);
    return refused;
  };

  beforeAll(async () => {
    provider = await startCaptchaProvider(SECRETS, TIMEOUT_MS * 5);
    useTestEnvironment('captcha', {
      CAPTCHA_TURNSTILE_VERIFY_URL: provider.url('turnstile'),
      CAPTCHA_HCAPTCHA_VERIFY_URL: provider.url('hcaptcha'),
      CAPTCHA_RECAPTCHA_VERIFY_URL: provider.url('recaptcha'),
      CAPTCHA_VERIFY_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    api = await createE2eApp();
    await createTenant(api, 'acme');
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner, { title: 'Guarded', settings: { captcha: captchaOf('turnstile') } });
  });

  afterAll(async () => {
    await api.close();
    await provider.stop();
  });

  it('stores a submission whose token the provider accepts, sending it the secret, the token and the address', async () => {
    provider.received.length = 0;
    const created = await submit(formId, valid, withToken('pass-first')).expect(201);
    expect(await stored(formId)).toEqual({ responses: 1, events: 1 });
    const response = await api.http.get(`/api/v1/responses/${created.body.response_id}`).set(owner.headers).expect(200);
    expect(response.body.data).toEqual(valid);
    expect(provider.received).toEqual([
      {
        provider: 'turnstile',
        contentType: expect.stringContaining('application/x-www-form-urlencoded'),
        secret: SECRETS.turnstile,
        response: 'pass-first',
        remoteip: '127.0.0.1',
      },
    ]);
  });

  it('asks each provider at its own verify URL with its form’s secret', async () => {
    for (const name of ['hcaptcha', 'recaptcha'] as const) {
      const id = await createForm(api, owner, { title: `With ${name}`, settings: { captcha: captchaOf(name) } });
      provider.received.length = 0;
      await submit(id, valid, withToken(`pass-${name}`)).expect(201);
      expect(provider.received).toEqual([
        expect.objectContaining({ provider: name, secret: SECRETS[name], response: `pass-${name}` }),
      ]);
      await refusedWith(id, 400, 'captcha_failed', withToken(`refuse-${name}`));
    }
  });

  it('answers 400 captcha_failed without a token (asking no one) or with a refused one, storing nothing', async () => {
    provider.received.length = 0;
    await refusedWith(formId, 400, 'captcha_failed', {});
    await refusedWith(formId, 400, 'captcha_failed', withToken('   '));
    await refusedWith(formId, 400, 'captcha_failed', withToken(`pass${'x'.repeat(9_000)}`));
    expect(provider.received).toEqual([]);
    const refused = await refusedWith(formId, 400, 'captcha_failed', withToken('refuse-this'));
    expect(refused.body.message).toContain('invalid-input-response');
    expect(provider.received).toHaveLength(1);
  });

  it('asks a token of a bot caught by the honeypot too: without one nothing is stored, with one it is kept as spam', async () => {
    const trapped = await createForm(api, owner, {
      title: 'Guarded with a honeypot',
      settings: { captcha: captchaOf('turnstile'), honeypot_field: 'website' },
    });
    const bot = { ...valid, website: 'https://spam.example' };
    const noToken = await submit(trapped, bot).expect(400);
    expect(noToken.body.error).toBe('captcha_failed');
    const kept = await submit(trapped, bot, withToken('pass-bot')).expect(201);
    const spam = await api.http.get(`/api/v1/forms/${trapped}/responses?spam=true`).set(owner.headers).expect(200);
    expect(spam.body.data.map((response: { response_id: string }) => response.response_id)).toEqual([
      kept.body.response_id,
    ]);
  });

  it('checks the data first: invalid data keeps the visitor’s token unused', async () => {
    provider.received.length = 0;
    const invalid = await submit(formId, { email: 'not-an-email' }, withToken('pass-unused')).expect(400);
    expect(invalid.body.error).toBe('validation_failed');
    expect(provider.received).toEqual([]);
  });

  it('answers 503 captcha_unavailable when the provider is slow, failing or not speaking its protocol', async () => {
    for (const token of ['slow-one', 'status-500', 'html-page', 'no-success', 'provider-fault']) {
      const refused = await refusedWith(formId, 503, 'captcha_unavailable', withToken(token));
      expect(refused.headers['retry-after']).toBe('5');
    }
  });

  it('answers 503 captcha_unavailable while the provider’s port is closed, and accepts again once it is back', async () => {
    await provider.stop();
    try {
      await refusedWith(formId, 503, 'captcha_unavailable', withToken('pass-while-down'));
    } finally {
      await provider.start();
    }
    await submit(formId, valid, withToken('pass-after-outage')).expect(201);
  });

  it('answers a replayed Idempotency-Key with its response without asking the provider again', async () => {
    const key = { 'idempotency-key': 'captcha-retry-1' };
    const first = await submit(formId, valid, { ...key, ...withToken('pass-retried') }).expect(201);
    const before = await stored(formId);
    provider.received.length = 0;
    const again = await submit(formId, valid, { ...key, ...withToken('refuse-already-used') }).expect(201);
    expect(again.body.response_id).toBe(first.body.response_id);
    expect(provider.received).toEqual([]);
    expect(await stored(formId)).toEqual(before);
  });

  it('counts verifications by provider and outcome in /metrics, without tokens or secrets', async () => {
    const metrics = (await api.http.get('/metrics').expect(200)).text;
    for (const outcome of ['passed', 'missing', 'refused', 'unavailable']) {
      expect(metrics).toMatch(
        new RegExp(`captcha_verifications_total\\{provider="turnstile",outcome="${outcome}"\\} [1-9]`),
      );
    }
    expect(metrics).not.toContain('pass-first');
    for (const secret of Object.values(SECRETS)) expect(metrics).not.toContain(secret);
  });

  it('never shows the secret: every answer has secret_key_set, and only the form document stores it', async () => {
    const expected = { provider: 'turnstile', site_key: 'site-turnstile', secret_key_set: true };
    const created = await api.http
      .post('/api/v1/forms')
      .set(owner.headers)
      .send({
        title: 'Secretive',
        fields: [{ key: 'email', type: 'email', label: 'Email' }],
        settings: { captcha: captchaOf('turnstile') },
      })
      .expect(201);
    const id: string = created.body.form_id;
    const path = `/api/v1/forms/${id}`;
    const answers = [
      created,
      await api.http.patch(path).set(owner.headers).send({ title: 'Secretive, renamed' }).expect(200),
      await api.http.post(`${path}/publish`).set(owner.headers).expect(200),
      await api.http.post(`${path}/publish`).set(owner.headers).expect(200),
      await api.http.get(path).set(owner.headers).expect(200),
    ];
    for (const answer of answers) expect(answer.body.settings.captcha).toEqual(expected);
    const list = await api.http.get('/api/v1/forms').set(owner.headers).expect(200);
    expect(list.body.data.find((form: { form_id: string }) => form.form_id === id).settings.captcha).toEqual(expected);
    answers.push(
      list,
      await api.http.get(`${path}/versions`).set(owner.headers).expect(200),
      await api.http.get(`${path}/versions/1`).set(owner.headers).expect(200),
      await api.http.get(`${path}/public`).set('x-tenant-id', 'acme').expect(200),
      await api.http.get('/api/v1/events').set(owner.headers).expect(200),
    );
    for (const answer of answers) expect(answer.text).not.toContain(SECRETS.turnstile);

    const holding: string[] = [];
    for (const { name } of await db().listCollections({}, { nameOnly: true }).toArray()) {
      const documents = await db().collection(name).find({}).toArray();
      if (documents.some((document) => EJSON.stringify(document).includes(SECRETS.turnstile))) holding.push(name);
    }
    expect(holding).toEqual(['forms']);
  });

  it('keeps the stored secret when a PATCH resends the same provider without it, and needs one for a new provider', async () => {
    const id = await createForm(api, owner, { title: 'Edited', settings: { captcha: captchaOf('turnstile') } });
    const patch = (captcha: object | null) =>
      api.http.patch(`/api/v1/forms/${id}`).set(owner.headers).send({ settings: { captcha } });

    // A UI re-saving what it showed: the site key changes, the secret stays.
    const kept = await patch({ provider: 'turnstile', site_key: 'site-turnstile-2' }).expect(200);
    expect(kept.body.settings.captcha).toEqual({
      provider: 'turnstile',
      site_key: 'site-turnstile-2',
      secret_key_set: true,
    });
    // Other settings change without touching the captcha.
    const other = await api.http
      .patch(`/api/v1/forms/${id}`)
      .set(owner.headers)
      .send({ settings: { send_notification: true } })
      .expect(200);
    expect(other.body.settings.captcha).toEqual(kept.body.settings.captcha);
    provider.received.length = 0;
    await submit(id, valid, withToken('pass-kept')).expect(201);
    expect(provider.received).toEqual([expect.objectContaining({ provider: 'turnstile', secret: SECRETS.turnstile })]);

    const noSecret = await patch({ provider: 'hcaptcha', site_key: 'site-hcaptcha' }).expect(400);
    expect(noSecret.body).toEqual({
      statusCode: 400,
      error: 'validation_failed',
      message: expect.any(String),
      details: [
        { field: 'settings.captcha.secret_key', message: 'is required for a new captcha or a change of provider' },
      ],
    });
    await patch(captchaOf('hcaptcha')).expect(200);
    provider.received.length = 0;
    await submit(id, valid, withToken('pass-switched')).expect(201);
    expect(provider.received).toEqual([expect.objectContaining({ provider: 'hcaptcha', secret: SECRETS.hcaptcha })]);

    // Turned off: no token needed, no provider asked.
    const off = await patch(null).expect(200);
    expect(off.body.settings.captcha).toBeNull();
    provider.received.length = 0;
    await submit(id, valid).expect(201);
    await submit(id, valid, withToken('ignored')).expect(201);
    expect(provider.received).toEqual([]);
    // A captcha set anew after it was off needs its secret again.
    await patch({ provider: 'hcaptcha', site_key: 'site-hcaptcha' }).expect(400);
  });

  it('documents the setting with a write-only secret, the header and both errors in OpenAPI', async () => {
    const { components, paths } = (await api.http.get('/docs-json').expect(200)).body;
    const { schemas } = components;
    expect(schemas.FormSettingsDto.properties.captcha).toMatchObject({ nullable: true });
    expect(schemas.CaptchaSettingDto.properties.secret_key).toMatchObject({ writeOnly: true });
    expect(schemas.CaptchaSettingDto.required).toEqual(['provider', 'site_key']);
    expect(schemas.CaptchaSettingViewDto.properties).not.toHaveProperty('secret_key');
    expect(schemas.CaptchaSettingViewDto.properties).toHaveProperty('secret_key_set');
    const submit = paths['/api/v1/forms/{form_id}/submit'].post;
    expect(submit.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'X-Captcha-Token', in: 'header' })]),
    );
    expect(submit.responses['400'].description).toContain('captcha_failed');
    expect(submit.responses['503'].description).toContain('captcha_unavailable');
  });

  it('refuses a captcha setting without its secret, with an unknown provider or empty keys', async () => {
    const create = (captcha: object) =>
      api.http
        .post('/api/v1/forms')
        .set(owner.headers)
        .send({ title: 'Bad captcha', settings: { captcha } })
        .expect(400);
    const fieldsOf = (body: { details: { field: string }[] }) => body.details.map((detail) => detail.field);
    expect(fieldsOf((await create({ provider: 'turnstile', site_key: 'site' })).body)).toEqual([
      'settings.captcha.secret_key',
    ]);
    expect(fieldsOf((await create({ ...captchaOf('turnstile'), provider: 'friendly' })).body)).toEqual([
      'settings.captcha.provider',
    ]);
    expect(fieldsOf((await create({ ...captchaOf('turnstile'), site_key: '', secret_key: '' })).body).sort()).toEqual([
      'settings.captcha.secret_key',
      'settings.captcha.site_key',
    ]);
    expect((await create({ ...captchaOf('turnstile'), extra: 1 })).body.error).toBe('validation_failed');
    const plain = await api.http.post('/api/v1/forms').set(owner.headers).send({ title: 'Plain' }).expect(201);
    expect(plain.body.settings.captcha).toBeNull();
  });
});
