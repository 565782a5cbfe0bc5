// Drill: schemathesis generates requests from the OpenAPI document (/docs-json) for every route, with
// an admin key and an owner's token, and checks each answer: no 5xx, every status documented, and
// every body and content type as documented. At least DRILL_FUZZ_MIN_REQUESTS requests must be made.
// Usage: npm run drill -- api-fuzz   (DRILL_FUZZ_EXAMPLES: generated cases per route and phase, default 10)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, tenantWithOwner } from '../harness/http-client.js';
import { report } from './support/report.js';
import { startStack } from './support/stack.js';

const EXAMPLES = process.env.DRILL_FUZZ_EXAMPLES ?? '10';
const MIN_REQUESTS = Number(process.env.DRILL_FUZZ_MIN_REQUESTS ?? 1000);
const CHECKS = 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';
// They would end the fuzzer's own session: every later request would answer 401 and test nothing.
const SESSION_ENDERS = ['/api/v1/auth/logout', '/api/v1/auth/password'];

const venv = execFileSync(
  'bash',
  ['-c', 'source scripts/lib.sh && ensure_schemathesis >&2 && echo "$SCHEMATHESIS_VENV"'],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  },
).trim();

/** Requests the API has served so far, from its own metrics. */
async function servedRequests(base) {
  const metrics = (await call(base, '/metrics')).body;
  return [...metrics.matchAll(/^http_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

const { app, stop } = await startStack({
  RATE_LIMIT_PUBLIC_READS_PER_MINUTE: '1000000',
  RATE_LIMIT_PUBLIC_UPLOADS_PER_MINUTE: '1000000',
  RATE_LIMIT_RESET_EMAILS_PER_HOUR: '1000000',
  LOGIN_MAX_FAILURES_PER_EMAIL: '1000000',
  // The fuzzer sends wrong admin keys by the thousand: the lockout would answer 429 to the rest.
  ADMIN_KEY_MAX_FAILURES_PER_IP: '1000000',
});
try {
  // X-Tenant-ID has no example in the document (Swagger UI would send it beside every token): the
  // fuzzer sends none or slugs of its own beside the token (documented 403/404 answers).
  const owner = await tenantWithOwner(app, { features: { webhooks: true } }, 'acme');
  const reportDir = mkdtempSync(join(tmpdir(), 'form-backend-fuzz-'));
  const servedBefore = await servedRequests(app.base);
  const run = spawnSync(
    join(venv, 'bin', 'st'),
    [
      'run',
      `${app.base}/docs-json`,
      '--url',
      app.base,
      '-H',
      `Authorization: ${owner.headers.authorization}`,
      '-H',
      `X-Admin-Key: ${app.adminKey}`,
      '--checks',
      CHECKS,
      '--max-examples',
      EXAMPLES,
      ...SESSION_ENDERS.flatMap((path) => ['--exclude-path', path]),
      '--no-color',
      '--report',
      'json',
      '--report-dir',
      reportDir,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], timeout: 20 * 60_000 },
  );
  const served = (await servedRequests(app.base)) - servedBefore;
  const results = JSON.parse(readFileSync(join(reportDir, readdirSync(reportDir)[0]), 'utf8'));
  const failures = results.failures.length + results.test_cases.with_failures;
  report('api-fuzz', [
    [
      'schemathesis finished',
      run.status === 0 && results.complete,
      `exit ${run.status}, ${results.running_time.toFixed(0)} s`,
    ],
    [
      'requests made',
      served >= MIN_REQUESTS,
      `${served} requests, ${results.test_cases.generated} generated cases, ${results.operations.tested} of ${results.operations.total} operations`,
    ],
    ['answers that are 5xx or break the documented schema', failures === 0, `${failures} (checks: ${CHECKS})`],
    ['errors while testing', results.errors.length === 0, `${results.errors.length}`],
  ]);
} finally {
  await stop();
}
