// An API client for processes started by the drills and benchmarks (the api tier uses supertest on
// the in-process app instead), and the fixtures that need only HTTP and the CLI: a tenant with its
// owner signed in, a published form, a visitor's submission.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** One JSON call; answers `{ status, body, ms }` and never throws for an HTTP status. */
export async function call(base, path, { method = 'GET', headers = {}, body, timeoutMs = 30_000 } = {}) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: globalThis.AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed, ms: performance.now() - started };
}

/** The body of `pending`'s answer when its status is `status`; throws naming `what` otherwise. */
export async function expectStatus(pending, status, what) {
  const answer = await pending;
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A POST that must succeed (2xx); answers the parsed body. */
export async function post(base, path, { headers = {}, body } = {}) {
  const answer = await call(base, path, { method: 'POST', headers, body });
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/**
 * A tenant created with the admin key and its owner signed in: the owner's invitation comes from the
 * operators' CLI (`invite`, run with the app's environment), and is accepted over HTTP. `app` is
 * `{ base, adminKey, settings }`. Answers the tenant id, the owner's email and headers.
 */
export async function tenantWithOwner(app, settings = {}, tenantId = undefined) {
  const tenant = tenantId ?? `t-${randomBytes(3).toString('hex')}`;
  await expectStatus(
    call(app.base, '/api/v1/admin/tenants', {
      method: 'POST',
      headers: { 'x-admin-key': app.adminKey },
      body: { tenant_id: tenant, name: tenant, settings },
    }),
    201,
    'create tenant',
  );
  const email = `owner@${tenant}.test`;
  const printed = execFileSync(
    process.execPath,
    ['dist/cli.js', 'invite', '--tenant', tenant, '--email', email, '--role', 'owner'],
    { env: { ...process.env, ...app.settings, LOG_LEVEL: 'silent' }, encoding: 'utf8' },
  );
  const token = new URL(printed.trim().split('\n').at(-1)).searchParams.get('token');
  const accepted = await expectStatus(
    call(app.base, '/api/v1/auth/invitations/accept', {
      method: 'POST',
      headers: { 'x-tenant-id': tenant },
      body: { token, name: 'Owner', password: 'owner-password' },
    }),
    201,
    'accept invitation',
  );
  return { tenant, email, headers: { authorization: `Bearer ${accepted.access_token}` } };
}

/** A published form with one required email field, whose responses notify the owner by email. */
export async function publishedForm(app, owner) {
  const form = await expectStatus(
    call(app.base, '/api/v1/forms', {
      method: 'POST',
      headers: owner.headers,
      body: {
        title: 'Contact',
        fields: [{ key: 'email', type: 'email', label: 'Email', required: true }],
        settings: { send_notification: true },
      },
    }),
    201,
    'create form',
  );
  await expectStatus(
    call(app.base, `/api/v1/forms/${form.form_id}/publish`, { method: 'POST', headers: owner.headers }),
    200,
    'publish form',
  );
  return form.form_id;
}

/** An anonymous visitor's submission of `email` to the tenant's form. */
export function submit(app, tenant, formId, email) {
  return call(app.base, `/api/v1/forms/${formId}/submit`, {
    method: 'POST',
    headers: { 'x-tenant-id': tenant },
    body: { data: { email } },
  });
}

/** Polls `read` until `done(value)` or `timeoutMs`; answers the last value either way. */
export async function waitFor(read, done, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(intervalMs);
    value = await read();
  }
  return value;
}
