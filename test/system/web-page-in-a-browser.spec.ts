import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

/**
 * A visitor on a customer's website, in a real browser (Debian's Chromium, driven by playwright-core;
 * `npm test` installs it). The customer's pages are served from another origin than the API, as they
 * would be: a plain HTML form with no script, and a page that submits with `fetch()` (CORS). If the
 * browser cannot start, this fails: it never skips. Screenshots go to test-results/browser/.
 */
const SCREENSHOTS = join(process.cwd(), 'test-results', 'browser');
const FIELDS = [
  { key: 'name', type: 'text', label: 'Name', required: true },
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'guests', type: 'number', label: 'Guests', min: 1, max: 10 },
  { key: 'newsletter', type: 'checkbox', label: 'Newsletter' },
  { key: 'topics', type: 'multiselect', label: 'Topics', options: ['news', 'events', 'offers'] },
  { key: 'cv', type: 'file', label: 'CV' },
];

/** The customer's plain HTML form: no script; the honeypot is an input people never see. */
function plainFormPage(action: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Contact us</title></head><body>
<form method="post" enctype="multipart/form-data" action="${action}" novalidate>
  <label>Name <input name="name"></label>
  <label>Email <input name="email" type="email"></label>
  <label>Guests <input name="guests" type="number"></label>
  <label><input type="checkbox" name="newsletter"> Newsletter</label>
  <select name="topics" multiple><option>news</option><option>events</option><option>offers</option></select>
  <input type="file" name="cv">
  <input name="website" style="display:none" tabindex="-1" autocomplete="off">
  <button type="submit">Send</button>
</form></body></html>`;
}

/** The same form submitted by a script, as JSON with the tenant in a header (a CORS preflight). */
function fetchPage(api: string, formId: string, tenant: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Contact us (fetch)</title></head><body>
<form><input name="name"><input name="email"><button type="submit">Send</button></form><p id="result"></p>
<script>
document.querySelector('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const answer = await fetch('${api}/api/v1/forms/${formId}/submit', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-tenant-id': '${tenant}' },
    body: JSON.stringify({ data: { name: form.get('name'), email: form.get('email') } }),
  });
  const body = await answer.json();
  document.querySelector('#result').textContent = answer.status + ' ' + body.response_id;
});
</script></body></html>`;
}

describe('a visitor submits from a web page, in a real browser', () => {
  let api: E2eApp;
  let apiBase: string;
  let site: Server;
  let siteOrigin: string;
  let owner: SignedInUser;
  let browser: Browser;
  const pages = new Map<string, string>();

  const stored = async (formId: string) =>
    (await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200)).body.data as {
      response_id: string;
      data: Record<string, unknown>;
    }[];
  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${siteOrigin}${path}`);
    return page;
  };
  const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    useTestEnvironment('browser', { LOG_LEVEL: 'silent' });
    api = await createE2eApp();
    await api.app.listen(0, '127.0.0.1');
    apiBase = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    // The customer's website: another origin (localhost, another port) serving static pages.
    site = createServer((request, response) => {
      const page = pages.get(new URL(request.url ?? '/', 'http://localhost').pathname);
      response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteOrigin = `http://localhost:${(site.address() as AddressInfo).port}`;
    await createTenant(api, 'browser-shop', { allowed_origins: [siteOrigin] });
    owner = await addMember(api, 'browser-shop');
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        // The site's origin is `localhost`: resolved to the loopback address it listens on.
        '--host-resolver-rules=MAP localhost 127.0.0.1',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await api?.close();
  });

  it('posts a plain HTML form with a file, follows the 303 to the thank-you page, and shows the error page for a bad value', async () => {
    const formId = await createForm(api, owner, {
      title: 'Party <RSVP>',
      fields: FIELDS,
      settings: { honeypot_field: 'website' },
    });
    pages.set('/plain.html', plainFormPage(`${apiBase}/api/v1/forms/${formId}/submit?tenant=browser-shop`));

    const page = await open('/plain.html');
    await page.fill('input[name=name]', 'Ada');
    await page.fill('input[name=email]', 'ada@example.com');
    await page.fill('input[name=guests]', '3');
    await page.check('input[name=newsletter]');
    await page.selectOption('select[name=topics]', ['news', 'offers']);
    await page.setInputFiles('input[name=cv]', {
      name: 'cv.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Ada, analyst'),
    });
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await screenshot(page, 'plain-form-thanks');
    expect(page.url()).toBe(`${apiBase}/api/v1/forms/${formId}/thanks?tenant=browser-shop`);
    const thanks = await page.textContent('body');
    expect(thanks).toContain('Thank you');
    // The title is shown as text, escaped, never as markup.
    expect(thanks).toContain('Party <RSVP>');

    const [response] = await stored(formId);
    const { cv, ...values } = response.data;
    expect(values).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      guests: 3,
      newsletter: true,
      topics: ['news', 'offers'],
    });
    const file = await api.http
      .get(`/api/v1/files/${String(cv)}`)
      .set(owner.headers)
      .expect(200);
    expect(file.text).toBe('Ada, analyst');

    // A second try with a value out of range: the error page lists the field, with a way back.
    await page.goto(`${siteOrigin}/plain.html`);
    await page.fill('input[name=name]', 'Bob');
    await page.fill('input[name=email]', 'bob@example.com');
    await page.fill('input[name=guests]', '99');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await screenshot(page, 'plain-form-error');
    const problems = await page.textContent('body');
    expect(problems).toContain('guests');
    expect(await page.locator('a').count()).toBeGreaterThan(0);
    expect(await stored(formId)).toHaveLength(1);
  });

  it("follows the form's success_url back to the customer's own page, with the response id", async () => {
    pages.set('/thanks.html', '<!doctype html><html><body><h1>Thanks from the shop</h1></body></html>');
    const formId = await createForm(api, owner, {
      title: 'Newsletter',
      fields: [{ key: 'email', type: 'email', label: 'Email', required: true }],
      settings: { success_url: `${siteOrigin}/thanks.html` },
    });
    pages.set(
      '/newsletter.html',
      `<!doctype html><html><body><form method="post" action="${apiBase}/api/v1/forms/${formId}/submit?tenant=browser-shop">
<input name="email"><button type="submit">Subscribe</button></form></body></html>`,
    );
    const page = await open('/newsletter.html');
    await page.fill('input[name=email]', 'grace@example.com');
    await Promise.all([page.waitForURL(/thanks\.html/), page.click('button[type=submit]')]);
    await screenshot(page, 'success-url');
    const landed = new URL(page.url());
    expect(landed.origin + landed.pathname).toBe(`${siteOrigin}/thanks.html`);
    const [response] = await stored(formId);
    expect(landed.searchParams.get('response_id')).toBe(response.response_id);
    expect(response.data).toEqual({ email: 'grace@example.com' });
  });

  it('submits with fetch() from the page (CORS preflight and JSON answer)', async () => {
    const formId = await createForm(api, owner, {
      title: 'Contact',
      fields: [
        { key: 'name', type: 'text', label: 'Name', required: true },
        { key: 'email', type: 'email', label: 'Email', required: true },
      ],
    });
    pages.set('/fetch.html', fetchPage(apiBase, formId, 'browser-shop'));
    const page = await open('/fetch.html');
    await page.fill('input[name=name]', 'Linus');
    await page.fill('input[name=email]', 'linus@example.com');
    await page.click('button[type=submit]');
    // A string: it runs in the page, where `document` is.
    await page.waitForFunction("document.querySelector('#result').textContent !== ''");
    await screenshot(page, 'fetch-submitted');
    const [response] = await stored(formId);
    expect(await page.textContent('#result')).toBe(`201 ${response.response_id}`);
    expect(response.data).toEqual({ name: 'Linus', email: 'linus@example.com' });
  });
});
