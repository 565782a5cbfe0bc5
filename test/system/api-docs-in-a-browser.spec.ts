import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';
import { freePort } from '../../harness/ports.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { type RunningProcess, startNode } from '../support/child-process.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

/**
 * An integrator tries a route in Swagger UI, in a real browser (Chromium via playwright-core; if it
 * cannot start, this fails, never skips). The API is the built one (`dist/main.js`, compiled by tsc
 * as in production, where ids were once documented as `Function` objects) on a real port; the
 * tenant, owner and form come from an in-process app on the same stores. Screenshots go to
 * test-results/browser/.
 */
const SCREENSHOTS = join(process.cwd(), 'test-results', 'browser');

describe('Swagger UI, in a real browser', () => {
  let fixtures: E2eApp;
  let server: RunningProcess;
  let base: string;
  let owner: SignedInUser;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    useTestEnvironment('docs-browser');
    fixtures = await createE2eApp();
    const port = await freePort();
    server = startNode(['dist/main.js'], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    await server.waitForOutput('API listening', 30_000);
    base = `http://127.0.0.1:${port}`;
    await createTenant(fixtures, 'docs-browser');
    owner = await addMember(fixtures, 'docs-browser');
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exit();
    await fixtures?.close();
  });

  it('serves the built API a document with no Function schema', async () => {
    const document = await (await fetch(`${base}/docs-json`)).text();
    expect(document).toContain('"/api/v1/forms/{form_id}"');
    expect(document).not.toContain('Function');
  });

  it('authorizes with an owner token, tries GET /api/v1/forms/{form_id} with a typed id and shows the form', async () => {
    const formId = await createForm(fixtures, owner, { title: 'Tried in Swagger UI' });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    page.setDefaultTimeout(10_000);
    await page.goto(`${base}/docs`);

    await page.locator('button.authorize').first().click();
    // The bearer scheme's own form in the dialog (the admin key has the next one).
    const bearer = page.locator('.modal-ux form', { has: page.locator('h4 code', { hasText: /^bearer$/ }) });
    await bearer.locator('input').fill(owner.token);
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    await bearer.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await bearer.getByRole('button', { name: 'Close' }).click();

    const route = page.locator('.opblock-get', {
      has: page.locator('.opblock-summary-path[data-path="/api/v1/forms/{form_id}"]'),
    });
    await route.locator('.opblock-summary').first().click();
    await route.getByRole('button', { name: 'Try it out' }).click();
    // A plain text box for the id (an object-typed parameter would be a JSON text area).
    const idBox = route.locator('input[placeholder="form_id"]');
    await idBox.fill(formId);
    await route.getByRole('button', { name: 'Execute' }).click();

    const status = route.locator('.live-responses-table tr.response .response-col_status');
    // The answer, as the explorer shows it: the form's own JSON.
    const body = route.locator('.live-responses-table tr.response .response-col_description .microlight').first();
    await body.filter({ hasText: 'Tried in Swagger UI' }).waitFor();
    expect(JSON.parse((await body.textContent()) ?? '')).toMatchObject({
      form_id: formId,
      title: 'Tried in Swagger UI',
    });
    expect((await status.textContent())?.trim()).toBe('200');
    await route.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'swagger-ui-try-it-out.png') });
    await page.close();
  });
});
