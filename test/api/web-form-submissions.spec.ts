import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { storedChunkCount } from '../support/stored-blobs.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** What Chromium and Firefox send with a form's navigation. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const SHOP = 'https://shop.example';
const FIELDS = [
  { key: 'name', type: 'text', label: 'Name', required: true },
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'age', type: 'number', label: 'Age', min: 0 },
  { key: 'note', type: 'text', label: 'Note' },
  { key: 'subscribe', type: 'checkbox', label: 'Subscribe' },
  { key: 'tags', type: 'multiselect', label: 'Tags', options: ['a', 'b', 'c'] },
  { key: 'birthday', type: 'date', label: 'Birthday' },
  { key: 'cv', type: 'file', label: 'CV' },
  { key: 'photo', type: 'file', label: 'Photo' },
];

describe('submitting from a web page (form bodies, 303s, built-in pages)', () => {
  let api: E2eApp;
  let owner: SignedInUser;
  let formId: string;
  let redirectingFormId: string;
  let ip = 0;
  /** Each test posts from its own client address: the rate limit test counts only its own. */
  const client = () => `198.51.100.${++ip}`;

  const post = (form: string, query = '?tenant=acme') =>
    api.http.post(`/api/v1/forms/${form}/submit${query}`).set('x-forwarded-for', client());
  const responsesOf = async (form: string) =>
    (await api.http.get(`/api/v1/forms/${form}/responses`).set(owner.headers).expect(200)).body.data as {
      response_id: string;
      data: Record<string, unknown>;
    }[];
  const fileCount = () => api.app.get<Connection>(getConnectionToken()).collection('files').countDocuments({});

  beforeAll(async () => {
    useTestEnvironment('web-form-submissions', {
      ENABLE_TENANT_ISOLATION: 'true',
      TRUST_PROXY: '1',
      FILE_MAX_BYTES: '2048',
      BODY_LIMIT_BYTES: '16384',
      RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '3',
    });
    api = await createE2eApp();
    await createTenant(api, 'acme', { allowed_origins: [SHOP, 'http://localhost:8080'] });
    await createTenant(api, 'globex');
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner, {
      title: 'Jobs <script>alert(1)</script>',
      fields: FIELDS,
      settings: { honeypot_field: 'website' },
    });
    redirectingFormId = await createForm(api, owner, {
      title: 'Redirecting',
      fields: FIELDS.slice(0, 2),
      settings: { success_url: `${SHOP}/done?from=form#top`, error_url: `${SHOP}/oops` },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  describe('urlencoded bodies', () => {
    it('reads each value by its field type, stores no control field, and answers JSON to a client preferring it', async () => {
      const body =
        'name=Ada&email=ada%40example.com&age=42.5&note=&subscribe=on&tags=a&tags%5B%5D=c&birthday=1815-12-10' +
        '&website=&_idempotency_key=web-1&cf-turnstile-response=tok&h-captcha-response=&g-recaptcha-response=';
      const answer = await post(formId).type('form').set('accept', 'application/json').send(body).expect(201);
      expect(answer.body).toEqual({ response_id: expect.stringMatching(/^[0-9a-f]{24}$/) });
      const [stored] = (await responsesOf(formId)).filter(
        (response) => response.response_id === answer.body.response_id,
      );
      expect(stored.data).toEqual({
        name: 'Ada',
        email: 'ada@example.com',
        age: 42.5,
        subscribe: true,
        tags: ['a', 'c'],
        birthday: '1815-12-10',
      });
    });

    it('reads an absent checkbox as false and `true`, `1`, `yes` as checked', async () => {
      for (const [value, expected] of [
        [undefined, false],
        ['true', true],
        ['1', true],
        ['YES', true],
      ] as const) {
        const body = `name=B&email=b%40example.com${value === undefined ? '' : `&subscribe=${value}`}`;
        const answer = await post(formId).type('form').send(body).expect(201);
        const stored = (await responsesOf(formId)).find((response) => response.response_id === answer.body.response_id);
        expect(stored?.data.subscribe).toBe(expected);
      }
    });

    it('refuses what JSON refuses, with the same details: bad values, a missing field, an unknown key', async () => {
      const before = (await responsesOf(formId)).length;
      const answer = await post(formId)
        .type('form')
        .send('email=nope&age=forty&birthday=10%2F12%2F1815&tags=z&subscribe=maybe&stranger=1')
        .expect(400);
      expect(answer.body.error).toBe('validation_failed');
      expect(answer.body.details).toEqual(
        expect.arrayContaining([
          { field: 'data.name', message: 'is required' },
          { field: 'data.email', message: 'must be an email' },
          { field: 'data.age', message: 'must be a number' },
          { field: 'data.birthday', message: 'must be a date (YYYY-MM-DD)' },
          { field: 'data.tags', message: 'must be a list of the options' },
          { field: 'data.subscribe', message: 'must be true or false' },
          { field: 'data.stranger', message: 'is not a field of this form' },
        ]),
      );
      expect(await responsesOf(formId)).toHaveLength(before);
    });

    it('takes _idempotency_key as the Idempotency-Key header: a repeat stores nothing new', async () => {
      const body = 'name=Rep&email=rep%40example.com&_idempotency_key=web-repeat';
      const first = await post(formId).type('form').send(body).expect(201);
      const again = await post(formId).type('form').send(body).expect(201);
      expect(again.body.response_id).toBe(first.body.response_id);
      expect((await responsesOf(formId)).filter((response) => response.data.name === 'Rep')).toHaveLength(1);
      const bad = await post(formId).type('form').send('name=R&email=r%40example.com&_idempotency_key=%20bad%20');
      expect([bad.status, bad.body.details]).toEqual([
        400,
        [{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
      ]);
    });

    it('refuses a body over the limit (413), too many values or too long a key (400)', async () => {
      const huge = `name=${'x'.repeat(17_000)}&email=a%40example.com`;
      expect((await post(formId).type('form').send(huge)).status).toBe(413);
      const many = Array.from({ length: 2_001 }, () => 'tags=a').join('&');
      const tooMany = await post(formId).type('form').send(many).expect(400);
      expect(tooMany.body.details).toEqual([{ field: 'body', message: 'has more than 2000 values' }]);
      // Refused before it is parsed: a body of separators costs one scan.
      const separators = await post(formId).type('form').send('&'.repeat(10_000)).expect(400);
      expect(separators.body.details).toEqual([{ field: 'body', message: 'has more than 10000 values' }]);
      const longKey = await post(formId)
        .type('form')
        .send(`${'k'.repeat(101)}=1`)
        .expect(400);
      expect(longKey.body.details).toEqual([{ field: 'body', message: 'has a key longer than 100 characters' }]);
    });

    it('reads a __proto__ key as an unknown key, never as a prototype', async () => {
      const answer = await post(formId).type('form').send('name=P&email=p%40example.com&__proto__=x').expect(400);
      expect(answer.body.details).toEqual([{ field: 'data.__proto__', message: 'is not a field of this form' }]);
    });
  });

  describe('the tenant', () => {
    it('comes from ?tenant= only when neither a JWT nor X-Tenant-ID names one', async () => {
      const body = 'name=T&email=t%40example.com';
      const none = await post(formId, '').type('form').send(body).expect(400);
      expect(none.body.error).toBe('tenant_required');
      await post(formId, '?tenant=acme').type('form').send(body).expect(201);
      // The header decides: the form is not globex's.
      const header = await post(formId, '?tenant=acme').set('x-tenant-id', 'globex').type('form').send(body);
      expect([header.status, header.body.error]).toEqual([404, 'not_found']);
      // A JWT decides and is never overridden (nor refused as a mismatch) by the query.
      const globexOwner = await addMember(api, 'globex');
      const jwt = await post(formId, '?tenant=acme').set(globexOwner.headers).type('form').send(body);
      expect([jwt.status, jwt.body.error]).toEqual([404, 'not_found']);
      const unknown = await post(formId, '?tenant=nobody-here').type('form').send(body);
      expect([unknown.status, unknown.body.error]).toEqual([404, 'tenant_not_found']);
    });

    it('is not taken from the query on other endpoints', async () => {
      const read = await api.http.get(`/api/v1/forms/${formId}/public?tenant=acme`);
      expect([read.status, read.body.error]).toEqual([400, 'tenant_required']);
    });
  });

  describe('answers a browser can follow', () => {
    it('sends an accepted post to the built-in thanks page, which escapes the title and forbids scripts', async () => {
      const answer = await post(formId)
        .type('form')
        .set({ accept: BROWSER_ACCEPT, origin: SHOP })
        .send('name=Web&email=web%40example.com')
        .expect(303);
      expect(answer.headers.location).toBe(`/api/v1/forms/${formId}/thanks?tenant=acme`);
      const page = await api.http.get(answer.headers.location).set('accept', BROWSER_ACCEPT).expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toContain("script-src 'none'");
      expect(page.text).toContain('<h1>Thank you</h1>');
      expect(page.text).toContain('Jobs &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).not.toContain('<script');
    });

    it("sends an accepted post to the form's success_url with response_id added", async () => {
      const answer = await post(redirectingFormId)
        .type('form')
        .set({ accept: BROWSER_ACCEPT, referer: `${SHOP}/contact` })
        .send('name=Web&email=web%40example.com')
        .expect(303);
      const location = new URL(answer.headers.location);
      expect(`${location.origin}${location.pathname}${location.hash}`).toBe(`${SHOP}/done#top`);
      expect(location.searchParams.get('from')).toBe('form');
      const responseId = location.searchParams.get('response_id');
      expect((await responsesOf(redirectingFormId)).map((response) => response.response_id)).toContain(responseId);
    });

    it('answers a refused post with the same status and a page listing every problem, escaped, with a link back', async () => {
      const before = (await responsesOf(formId)).length;
      const answer = await post(formId)
        .type('form')
        .set({ accept: BROWSER_ACCEPT, referer: `${SHOP}/apply?step=2` })
        .send('email=%3Cb%3Enope&%3Cimg%20src%3Dx%3E=1')
        .expect(400);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.headers['content-security-policy']).toContain("script-src 'none'");
      expect(answer.text).toContain('<strong>data.name</strong>: is required');
      expect(answer.text).toContain('<strong>data.email</strong>: must be an email');
      expect(answer.text).toContain('<strong>data.&lt;img src=x&gt;</strong>: is not a field of this form');
      expect(answer.text).toContain(`<a href="${SHOP}/apply?step=2">`);
      expect(answer.text).not.toMatch(/<img|<script/);
      expect(await responsesOf(formId)).toHaveLength(before);
    });

    it("sends a refused post to the form's error_url with error=<code> added, guards' refusals too", async () => {
      const invalid = await post(redirectingFormId)
        .type('form')
        .set('accept', BROWSER_ACCEPT)
        .send('name=x')
        .expect(303);
      expect(invalid.headers.location).toBe(`${SHOP}/oops?error=validation_failed`);
      const address = client();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const spelled = attempt % 2 ? redirectingFormId.toUpperCase() : redirectingFormId;
        const answer = await api.http
          .post(`/api/v1/forms/${spelled}/submit?tenant=acme`)
          .set({ 'x-forwarded-for': address, accept: BROWSER_ACCEPT })
          .type('form')
          .send('name=Web&email=web%40example.com');
        statuses.push(answer.status);
        if (attempt === 3) expect(answer.headers.location).toBe(`${SHOP}/oops?error=rate_limited`);
      }
      // The limit counts the form as the server reads it: both spellings are one form (3 a minute).
      expect(statuses).toEqual([303, 303, 303, 303]);

      // Named in another tenant (or an unknown one), the form answers as a missing one does: the
      // built-in page, never its error_url, which would tell that the form exists elsewhere.
      const missing = await post('000000000000000000000000', '?tenant=globex')
        .type('form')
        .set('accept', BROWSER_ACCEPT)
        .send('name=x');
      for (const query of ['?tenant=globex', '?tenant=nobody-here']) {
        const elsewhere = await post(redirectingFormId, query)
          .type('form')
          .set('accept', BROWSER_ACCEPT)
          .send('name=x');
        expect(elsewhere.headers.location).toBeUndefined();
        expect(elsewhere.headers['content-type']).toBe('text/html; charset=utf-8');
      }
      const inGlobex = await post(redirectingFormId, '?tenant=globex')
        .type('form')
        .set('accept', BROWSER_ACCEPT)
        .send('name=x');
      expect([inGlobex.status, inGlobex.text]).toEqual([missing.status, missing.text]);
    });

    it("renders the guards' and the form's refusals as pages: unknown tenant, draft, archived, rate limited", async () => {
      const draft = await createForm(api, owner, { title: 'Draft' }, false);
      const archived = await createForm(api, owner, { title: 'Old' });
      await api.http.post(`/api/v1/forms/${archived}/archive`).set(owner.headers).expect(200);
      const cases: [string, string, number, string][] = [
        [formId, '?tenant=nobody-here', 404, 'tenant_not_found'],
        [draft, '?tenant=acme', 409, 'form_not_published'],
        [archived, '?tenant=acme', 410, 'form_archived'],
        ['000000000000000000000000', '?tenant=acme', 404, 'not_found'],
      ];
      for (const [form, query, status, code] of cases) {
        const answer = await post(form, query)
          .type('form')
          .set('accept', BROWSER_ACCEPT)
          .send('name=x&email=x%40example.com');
        expect([answer.status, answer.headers['content-type']]).toEqual([status, 'text/html; charset=utf-8']);
        expect(answer.text).toContain(`(${code})`);
      }
      // Refused by the body parser, before any guard: a page too.
      const huge = await post(formId)
        .type('form')
        .set('accept', BROWSER_ACCEPT)
        .send(`name=${'x'.repeat(17_000)}`);
      expect([huge.status, huge.headers['content-type'], huge.text]).toEqual([
        413,
        'text/html; charset=utf-8',
        expect.stringContaining('(payload_too_large)'),
      ]);
      const address = client();
      let last = await post(formId);
      for (let attempt = 0; attempt < 4; attempt++) {
        last = await api.http
          .post(`/api/v1/forms/${formId}/submit?tenant=acme`)
          .set({ 'x-forwarded-for': address, accept: BROWSER_ACCEPT })
          .type('form')
          .send('name=x');
      }
      expect([last.status, last.headers['retry-after'], last.text]).toEqual([
        429,
        expect.stringMatching(/^\d+$/),
        expect.stringContaining('(rate_limited)'),
      ]);
    });

    it('answers JSON as today to a client that prefers it, and to JSON bodies whatever they accept', async () => {
      const fetchLike = await post(formId).type('form').set('accept', '*/*').send('name=x');
      expect([fetchLike.status, fetchLike.body.error]).toEqual([400, 'validation_failed']);
      const json = await post(formId)
        .set('accept', BROWSER_ACCEPT)
        .send({ data: { name: 'x' } });
      expect([json.status, json.body.error]).toEqual([400, 'validation_failed']);
    });
  });

  describe('the origin of a browser post', () => {
    it("accepts the tenant's allowed origins (Origin, else the Referer's), and posts with neither header", async () => {
      const body = 'name=O&email=o%40example.com';
      await post(formId).type('form').set('origin', SHOP).send(body).expect(201);
      await post(formId).type('form').set('origin', 'http://localhost:8080').send(body).expect(201);
      await post(formId).type('form').set('referer', `${SHOP}/page?x=1`).send(body).expect(201);
      await post(formId).type('form').send(body).expect(201);
    });

    it('refuses any other origin with 403 origin_not_allowed, stores nothing, and leaves JSON posts to CORS', async () => {
      const before = (await responsesOf(formId)).length;
      const body = 'name=O&email=o%40example.com';
      for (const headers of [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { referer: 'https://evil.example/shop.example' },
        // The Origin decides even when the Referer looks right.
        { origin: 'https://evil.example', referer: `${SHOP}/` },
      ]) {
        const answer = await post(formId).type('form').set(headers).send(body);
        expect([answer.status, answer.body.error]).toEqual([403, 'origin_not_allowed']);
      }
      const page = await post(formId)
        .type('form')
        .set({ origin: 'https://evil.example', accept: BROWSER_ACCEPT })
        .send(body);
      expect([page.status, page.text]).toEqual([403, expect.stringContaining('(origin_not_allowed)')]);
      const multipart = await post(formId).set('origin', 'https://evil.example').field('name', 'O');
      expect([multipart.status, multipart.body.error]).toEqual([403, 'origin_not_allowed']);
      expect(await responsesOf(formId)).toHaveLength(before);
      await post(formId)
        .set('origin', 'https://evil.example')
        .send({ data: { name: 'J', email: 'j@example.com' } })
        .expect(201);
    });

    it('lets a tenant allowing "*" take posts from anywhere', async () => {
      await createTenant(api, 'open-shop', { allowed_origins: ['*'] });
      const openOwner = await addMember(api, 'open-shop');
      const open = await createForm(api, openOwner, { title: 'Open' });
      await post(open, '?tenant=open-shop')
        .type('form')
        .set('origin', 'https://anywhere.example')
        .send('email=o%40example.com')
        .expect(201);
    });
  });

  describe('multipart bodies', () => {
    it('uploads a file field and binds it to this submission in the same request', async () => {
      const answer = await post(formId)
        .field('name', 'Files')
        .field('email', 'files@example.com')
        .field('tags[]', 'b')
        .field('tags[]', 'c')
        .field('subscribe', 'yes')
        .field('_idempotency_key', 'multi-1')
        .attach('cv', Buffer.from('%PDF-1.7 cv'), { filename: 'cv.pdf', contentType: 'application/pdf' })
        .expect(201);
      const stored = (await responsesOf(formId)).find((response) => response.response_id === answer.body.response_id);
      expect(stored?.data).toEqual({
        name: 'Files',
        email: 'files@example.com',
        tags: ['b', 'c'],
        subscribe: true,
        cv: expect.stringMatching(/^[0-9a-f]{24}$/),
      });
      const bytes = await api.http
        .get(`/api/v1/files/${String(stored?.data.cv)}`)
        .set(owner.headers)
        .expect(200);
      expect(bytes.body.toString()).toBe('%PDF-1.7 cv');
    });

    it('keeps no upload of a retry answered with the first response (same _idempotency_key)', async () => {
      const send = () =>
        post(formId)
          .field('name', 'Retry')
          .field('email', 'retry@example.com')
          .field('_idempotency_key', 'multi-retry')
          .attach('cv', Buffer.from('%PDF-1.7 retry'), { filename: 'cv.pdf', contentType: 'application/pdf' })
          .expect(201);
      const first = await send();
      const chunks = await storedChunkCount(api.app);
      const files = await fileCount();
      const again = await send();
      expect(again.body.response_id).toBe(first.body.response_id);
      expect([await storedChunkCount(api.app), await fileCount()]).toEqual([chunks, files]);
    });

    it('reads an empty file input (no file chosen) as absent', async () => {
      const answer = await post(formId)
        .field('name', 'NoFile')
        .field('email', 'nofile@example.com')
        .attach('cv', Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' })
        .expect(201);
      const stored = (await responsesOf(formId)).find((response) => response.response_id === answer.body.response_id);
      expect(stored?.data).toEqual({ name: 'NoFile', email: 'nofile@example.com', subscribe: false });
    });

    it('leaves nothing behind when the submission is refused, for any reason', async () => {
      const chunks = await storedChunkCount(api.app);
      const files = await fileCount();
      const responses = (await responsesOf(formId)).length;
      const cv = () => Buffer.from('%PDF-1.7 kept?');
      const refusals = [
        // Invalid data in a field that comes after the file.
        post(formId).attach('cv', cv(), 'cv.pdf').field('email', 'not-an-email'),
        // An unknown key.
        post(formId).attach('cv', cv(), 'cv.pdf').field('name', 'N').field('email', 'n@example.com').field('x', '1'),
        // A file over FILE_MAX_BYTES.
        post(formId).field('name', 'N').field('email', 'n@example.com').attach('cv', Buffer.alloc(3000, 1), 'big.pdf'),
        // Two files for one file field.
        post(formId).field('name', 'N').attach('cv', cv(), 'a.pdf').attach('cv', cv(), 'b.pdf'),
        // More files than the form has file fields.
        post(formId).attach('cv', cv(), 'a.pdf').attach('photo', cv(), 'b.png').attach('photo', cv(), 'c.png'),
        // A file for a field that is not a file field.
        post(formId).attach('cv', cv(), 'cv.pdf').attach('note', cv(), 'note.txt'),
      ];
      const answers = [];
      for (const refusal of refusals) answers.push(await refusal);
      expect(answers.map((answer) => [answer.status, answer.body.error])).toEqual([
        [400, 'validation_failed'],
        [400, 'validation_failed'],
        [413, 'payload_too_large'],
        [400, 'validation_failed'],
        [400, 'validation_failed'],
        [400, 'validation_failed'],
      ]);
      expect(answers[3].body.details).toEqual([{ field: 'data.cv', message: 'must be one file' }]);
      expect(answers[4].body.details).toEqual([
        { field: 'body', message: 'has more files than the form has file fields' },
      ]);
      expect(answers[5].body.details).toEqual([{ field: 'data.note', message: 'is not a file field of this form' }]);
      expect(await storedChunkCount(api.app)).toBe(chunks);
      expect(await fileCount()).toBe(files);
      expect(await responsesOf(formId)).toHaveLength(responses);
    });

    it('answers a malformed multipart body with 400, a page for a browser, never a 500', async () => {
      const broken = await post(formId)
        .set('content-type', 'multipart/form-data; boundary=xyz')
        .send('--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf');
      expect([broken.status, broken.body.error]).toEqual([400, 'validation_failed']);
      const page = await post(formId)
        .set({ 'content-type': 'multipart/form-data; boundary=xyz', accept: BROWSER_ACCEPT })
        .send('--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf');
      expect([page.status, page.headers['content-type']]).toEqual([400, 'text/html; charset=utf-8']);
    });

    it('refuses more than 2,000 values and too long a key in a multipart body', async () => {
      let many = post(formId);
      for (let index = 0; index < 2_001; index++) many = many.field('tags', 'a');
      const tooMany = await many;
      expect([tooMany.status, tooMany.body.details]).toEqual([
        400,
        [{ field: 'body', message: 'has more than 2000 values' }],
      ]);
      const longKey = await post(formId).field('k'.repeat(101), '1');
      expect([longKey.status, longKey.body.details]).toEqual([
        400,
        [{ field: 'body', message: 'has a key longer than 100 characters' }],
      ]);
    });

    it('holds the body limit for the text values of a multipart body', async () => {
      const answer = await post(formId).field('name', 'x'.repeat(17_000)).field('email', 'a@example.com');
      expect([answer.status, answer.body.error]).toEqual([413, 'payload_too_large']);
    });
  });

  describe('success_url and error_url', () => {
    it('are shown in form answers and null by default', async () => {
      const plain = await api.http.get(`/api/v1/forms/${formId}`).set(owner.headers).expect(200);
      expect(plain.body.settings).toMatchObject({ success_url: null, error_url: null });
      const redirecting = await api.http.get(`/api/v1/forms/${redirectingFormId}`).set(owner.headers).expect(200);
      expect(redirecting.body.settings).toMatchObject({
        success_url: `${SHOP}/done?from=form#top`,
        error_url: `${SHOP}/oops`,
      });
    });

    it("must be https:// (or http://localhost) URLs on the tenant's allowed origins", async () => {
      const refused = await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({
          settings: { success_url: 'http://shop.example/done', error_url: 'https://evil.example/oops' },
        })
        .expect(400);
      expect(refused.body.details).toEqual([
        { field: 'settings.success_url', message: 'must be an https:// URL (or http://localhost)' },
        { field: 'settings.error_url', message: "must be on one of the tenant's allowed_origins" },
      ]);
      const notUrl = await api.http
        .post('/api/v1/forms')
        .set(owner.headers)
        .send({ title: 'Bad', settings: { error_url: 'javascript:alert(1)' } })
        .expect(400);
      expect(notUrl.body.details).toEqual([
        { field: 'settings.error_url', message: 'must be an https:// URL (or http://localhost)' },
      ]);
      const local = await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({ settings: { success_url: 'http://localhost:8080/thanks' } })
        .expect(200);
      expect(local.body.settings.success_url).toBe('http://localhost:8080/thanks');
      await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(owner.headers)
        .send({ settings: { success_url: null } })
        .expect(200);
    });
  });

  it('serves the thanks page only for a published form of the named tenant, as a page for a browser', async () => {
    const missing = await api.http
      .get('/api/v1/forms/000000000000000000000000/thanks?tenant=acme')
      .set('accept', BROWSER_ACCEPT);
    expect([missing.status, missing.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);
    const elsewhere = await api.http.get(`/api/v1/forms/${formId}/thanks?tenant=globex`);
    expect([elsewhere.status, elsewhere.body.error]).toEqual([404, 'not_found']);
  });

  it('documents the three request bodies, the 303, the thanks page and the redirect settings in Swagger', async () => {
    const { paths, components } = (await api.http.get('/docs-json').expect(200)).body;
    const submit = paths['/api/v1/forms/{form_id}/submit'].post;
    expect(Object.keys(submit.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]);
    expect(submit.responses).toHaveProperty('303');
    expect(submit.parameters.map((parameter: { name: string }) => parameter.name)).toContain('tenant');
    const thanks = paths['/api/v1/forms/{form_id}/thanks'].get;
    expect(thanks.responses['200'].content).toHaveProperty('text/html');
    expect(Object.keys(components.schemas.FormSettingsDto.properties)).toEqual(
      expect.arrayContaining(['success_url', 'error_url']),
    );
  });
});
