// The costliest submission the API accepts to store, sent at the rate limit, while another client
// polls GET /health/live: does one visitor's submission hold up every other request of the process?
// The form: five text fields whose pattern is the slowest we found per RE2 instruction-character
// (`[\p{L}\p{N}]{60}$`, 63 instructions) at the longest max_length the per-field budget allows
// (1,587 characters; 5 × 99,981 = the per-submission budget of 500,000), filled with matching values
// (every start position is tried, so each check costs its whole budget); in the second form, plus ten
// textareas of 100,000 characters each, so the body is just under the 1 MiB limit. Rates: the
// per-form limit (30 submissions a minute per client IP per form: one every 2 s to one form); one
// client at 20 such forms at the limit per client IP across forms (60 a minute: one a second); and
// one client sending to the 20 forms at once, each at its form's limit (10 a second), which the limit
// across forms answers with 429 beyond its 60 a minute (counted in fixed one-minute windows, so those
// 60 may come at once). The limits are the API's defaults. Each phase is a client of its own (its own
// X-Forwarded-For, which the API trusts from loopback here), so no phase inherits another's counts;
// the first sends no submissions (the health check's own latency on this machine, same run).
// Goal: /health/live p99 under 50 ms while the costliest submission arrives at the rate limit.
// Usage: npm run bench (or: npm run build && MONGO_URL=… REDIS_URL=… node bench/submission-budget.js)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { post } from '../harness/http-client.js';
import { startApiWithEditor } from './support/api-process.js';
import { percentiles } from './support/load.js';
import { randomText } from './support/text.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const POLL_EVERY_MS = 10;
const PER_FORM_EVERY_MS = 2_000; // the default limit per form: 30 a minute
const PER_CLIENT_EVERY_MS = 1_000; // the default limit per client IP across forms: 60 a minute
const GOAL_P99_MS = 50;
const PATTERN = '[\\p{L}\\p{N}]{60}$';
const PATTERN_MAX_LENGTH = 1_587; // 100,000 / 63 instructions

const patterned = Array.from({ length: 5 }, (_, index) => ({
  key: `p${index}`,
  type: 'text',
  label: `P${index}`,
  required: true,
  pattern: PATTERN,
  max_length: PATTERN_MAX_LENGTH,
}));
const filler = Array.from({ length: 10 }, (_, index) => ({
  key: `t${index}`,
  type: 'textarea',
  label: `T${index}`,
  max_length: 100_000,
}));

/** A submission body per variant, built once (the client must not be the bottleneck). */
function bodyOf(fields, seed) {
  const data = {};
  for (const field of fields) {
    data[field.key] = field.pattern ? randomText('Ωaé1', field.max_length, seed++) : 'x'.repeat(field.max_length);
  }
  return JSON.stringify({ data });
}

// Clients told apart by X-Forwarded-For, trusted from the benchmark's own address only.
const { base, tenant, auth, stop } = await startApiWithEditor('submission_budget', { TRUST_PROXY: '127.0.0.1' });
let clients = 0;

async function publishedForms(count, fields) {
  const ids = [];
  for (let index = 0; index < count; index += 1) {
    const form = await post(base, '/api/v1/forms', { headers: auth, body: { title: `Budget ${index}`, fields } });
    await post(base, `/api/v1/forms/${form.form_id}/publish`, { headers: auth });
    ids.push(form.form_id);
  }
  return ids;
}

/** Polls /health/live every POLL_EVERY_MS until `until`, one request at a time; answers the latencies. */
async function pollHealth(until) {
  const latencies = [];
  while (performance.now() < until) {
    const started = performance.now();
    const response = await fetch(`${base}/health/live`);
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    await sleep(Math.max(0, POLL_EVERY_MS - (performance.now() - started)));
  }
  return latencies;
}

/**
 * Sends `body` to `forms` in turn, one every `every` ms, without waiting for answers, until `until`,
 * from a client address of its own; answers the statuses and latencies once all have answered.
 */
async function submitEvery(every, forms, body, until) {
  clients += 1;
  const client = `198.51.100.${clients}`;
  const pending = [];
  for (let sent = 0; performance.now() < until; sent += 1) {
    const started = performance.now();
    const formId = forms[sent % forms.length];
    pending.push(
      fetch(`${base}/api/v1/forms/${formId}/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': tenant, 'x-forwarded-for': client },
        body,
      }).then(async (response) => {
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - started };
      }),
    );
    await sleep(Math.max(0, every - (performance.now() - started)));
  }
  return Promise.all(pending);
}

/** One row: /health/live polled while `body` goes to `forms`, one every `every` ms (each form at its limit by default). */
async function phase(label, forms, body, every = PER_FORM_EVERY_MS / forms.length) {
  const until = performance.now() + SECONDS * 1000;
  const [health, answers] = await Promise.all([
    pollHealth(until),
    forms.length ? submitEvery(every, forms, body, until) : Promise.resolve([]),
  ]);
  const stored = answers.filter((answer) => answer.status === 201).length;
  const refused = answers.length - stored;
  const sorted = [...health].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))];
  const verdict = forms.length ? `; goal p99 < ${GOAL_P99_MS} ms: ${p99 < GOAL_P99_MS ? 'met' : 'NOT met'}` : '';
  console.log(`${label}`);
  console.log(`  /health/live   ${String(health.length).padStart(5)} polls  ${percentiles(health, 1)}${verdict}`);
  if (answers.length) {
    const counts = new Map();
    for (const { status } of answers) if (status !== 201) counts.set(status, (counts.get(status) ?? 0) + 1);
    const byStatus = [...counts].map(([status, count]) => `${count} × ${status}`).join(', ');
    const statuses = refused ? ` (not 201: ${byStatus})` : '';
    console.log(
      `  submissions    ${String(stored).padStart(5)} stored${statuses}  ${percentiles(
        answers.map((answer) => answer.ms),
        1,
      )}`,
    );
  }
}

const small = bodyOf(patterned, 1);
const large = bodyOf([...patterned, ...filler], 1);
const forms = {
  one: await publishedForms(1, patterned),
  many: await publishedForms(20, patterned),
  oneLarge: await publishedForms(1, [...patterned, ...filler]),
  manyLarge: await publishedForms(20, [...patterned, ...filler]),
};
// A warm-up (JIT, the store's caches, pattern compilation), on a form of its own, not measured.
const [warmUp] = await publishedForms(1, patterned);
for (let index = 0; index < 5; index += 1) {
  await fetch(`${base}/api/v1/forms/${warmUp}/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenant, 'x-forwarded-for': '198.51.100.250' },
    body: small,
  });
}

console.log(
  `costliest accepted submission: 5 × ${PATTERN} (63 instructions) × ${PATTERN_MAX_LENGTH} characters = 499,905 of ` +
    `the 500,000 budget; ${SECONDS} s per phase, /health/live polled every ${POLL_EVERY_MS} ms; ` +
    `load average ${loadavg()[0].toFixed(1)} at the start`,
);
await phase('no submissions (the baseline, same run)', [], null);
await phase(
  `at the rate limit: 30 a minute to one form (${(small.length / 1024).toFixed(1)} KiB bodies)`,
  forms.one,
  small,
);
await phase('one client at 20 forms, at its limit across forms: 60 a minute', forms.many, small, PER_CLIENT_EVERY_MS);
await phase('one client at 20 forms, each at its limit: 10 a second (429 beyond 60 a minute)', forms.many, small);
await phase(
  `at the rate limit, bodies at the size limit (${(large.length / 1024).toFixed(1)} KiB)`,
  forms.oneLarge,
  large,
);
await phase(
  'one client at 20 forms, bodies at the size limit, at its limit across forms: 60 a minute',
  forms.manyLarge,
  large,
  PER_CLIENT_EVERY_MS,
);
await phase(
  'one client at 20 forms, bodies at the size limit: 10 a second (429 beyond 60 a minute)',
  forms.manyLarge,
  large,
);
await stop();
