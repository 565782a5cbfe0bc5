// Drill: the MongoDB store stops for 10 s while visitors submit and members read. Requests must fail
// fast with 503 within a second (no hang, no 500), readiness must say so within 2 s, nothing may be
// half-written (every stored response has its event in the audit log, and no 201 is missing its
// response), and all must be well once it is back.
// Usage: npm run drill -- mongo-outage   (DRILL_OUTAGE_SECONDS, DRILL_RATE override the defaults;
// DRILL_IN_FLIGHT=1 stops the store under traffic rather than between two bursts, so requests are
// caught half-way: see docs/operations.md, "When MongoDB is down", for what that still finds).
import { setTimeout as sleep } from 'node:timers/promises';
import { call, publishedForm, submit, tenantWithOwner, waitFor } from '../harness/http-client.js';
import { report } from './support/report.js';
import { startStack } from './support/stack.js';

const OUTAGE_SECONDS = Number(process.env.DRILL_OUTAGE_SECONDS ?? 10);
const RATE = Number(process.env.DRILL_RATE ?? 10);
const IN_FLIGHT = process.env.DRILL_IN_FLIGHT === '1';
/**
 * What "fast" means here: once the driver knows the store is down every request is refused at once,
 * and one caught at the moment of the outage waits at most the 300-ms server selection.
 */
const FAIL_FAST_MS = 1_000;
/** How soon `/health/ready` must say the store is gone (the driver's heartbeat runs every second). */
const READINESS_FLIP_MS = 2_000;

const { app, stop, stores } = await startStack({ EVENT_RELAY_INTERVAL_MS: '1000', EVENT_RELAY_GRACE_MS: '5000' });

/** Pages through a list endpoint and answers every item. */
async function everything(path, headers) {
  const items = [];
  let cursor = null;
  do {
    const page = await call(
      app.base,
      `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { headers },
    );
    if (page.status !== 200) throw new Error(`${path}: ${page.status} ${JSON.stringify(page.body)}`);
    items.push(...page.body.data);
    cursor = page.body.next_cursor;
  } while (cursor);
  return items;
}

try {
  const owner = await tenantWithOwner(app);
  const formId = await publishedForm(app, owner);
  let sent = 0;
  const traffic = async (seconds) => {
    const pending = [];
    for (let tick = 0; tick < seconds * RATE; tick += 1) {
      sent += 1;
      pending.push(
        submit(app, owner.tenant, formId, `visitor${sent}@example.com`).then((answer) => ({
          ...answer,
          kind: 'submit',
        })),
        call(app.base, `/api/v1/forms/${formId}`, { headers: owner.headers }).then((answer) => ({
          ...answer,
          kind: 'read',
        })),
      );
      await sleep(1000 / RATE);
    }
    return Promise.all(
      pending.map((answer) => answer.catch((error) => ({ status: 0, body: String(error), ms: Infinity }))),
    );
  };

  const before = await traffic(3);
  // Between two bursts by default; under traffic, some requests are caught in flight by the outage.
  const duringTraffic = IN_FLIGHT ? traffic(OUTAGE_SECONDS) : null;
  if (IN_FLIGHT) await sleep(500);
  await stores.mongo.stop();
  const stoppedAt = Date.now();
  const notReady = waitFor(
    () => call(app.base, '/health/ready'),
    (answer) => answer.status === 503,
    OUTAGE_SECONDS * 1000,
  ).then((answer) => ({ status: answer.status, ms: Date.now() - stoppedAt }));
  const during = await (duringTraffic ?? traffic(OUTAGE_SECONDS));
  const readinessFlip = await notReady;
  await stores.mongo.start();
  const ready = await waitFor(
    () => call(app.base, '/health/ready'),
    (answer) => answer.status === 200,
    60_000,
  );
  const after = await traffic(3);

  const accepted = [...before, ...during, ...after].filter(
    (answer) => answer.kind === 'submit' && answer.status === 201,
  );
  // Give the relay time to settle what the outage left in the outbox.
  await sleep(8_000);
  const stored = await everything(`/api/v1/forms/${formId}/responses`, owner.headers);
  const events = await everything('/api/v1/events?type=response.submitted', owner.headers);
  const storedIds = new Set(stored.map((response) => response.response_id));
  const eventIds = new Set(events.map((event) => event.entity_id));
  const duringStatuses = [...new Set(during.map((answer) => answer.status))].sort().join(', ');
  const slowestOf = (answers) =>
    answers.reduce((worst, answer) => (answer.ms > worst.ms ? answer : worst), { ms: 0, kind: 'none', status: 0 });
  // Failing fast is about the refusals; a request the store still served while shutting down is shown too.
  const slowestRefusal = slowestOf(during.filter((answer) => answer.status !== 201 && answer.status !== 200));
  const slowest = slowestOf(during);
  const badDuring = during.filter((answer) => answer.status !== 503 && !(answer.status >= 200 && answer.status < 300));

  report('mongo-outage', [
    [
      'answers while the store was down',
      badDuring.length === 0,
      `statuses ${duringStatuses}; ${badDuring.length} neither 503 nor 2xx`,
    ],
    [
      'no 500 at any time',
      ![...before, ...during, ...after].some((answer) => answer.status >= 500 && answer.status !== 503),
      `${before.length + during.length + after.length} answers`,
    ],
    [
      'failed fast (slowest refusal during the outage)',
      slowestRefusal.ms < FAIL_FAST_MS,
      `${slowestRefusal.ms.toFixed(0)} ms, a ${slowestRefusal.kind} answered ${slowestRefusal.status} ` +
        `(limit ${FAIL_FAST_MS} ms); slowest answer of all: ${slowest.ms.toFixed(0)} ms, a ${slowest.kind} ${slowest.status}`,
    ],
    [
      'readiness said so within 2 s',
      readinessFlip.status === 503 && readinessFlip.ms <= READINESS_FLIP_MS,
      `GET /health/ready ${readinessFlip.status} ${readinessFlip.ms} ms after the store stopped (limit ${READINESS_FLIP_MS} ms)`,
    ],
    ['ready again once the store was back', ready.status === 200, `GET /health/ready ${ready.status}`],
    [
      'all well afterwards',
      after.every((answer) => answer.status >= 200 && answer.status < 300),
      `${after.filter((answer) => answer.status < 300).length} of ${after.length} 2xx`,
    ],
    [
      'every 201 stored',
      accepted.every((answer) => storedIds.has(answer.body.response_id)),
      `${accepted.length} accepted, ${stored.length} stored`,
    ],
    [
      'nothing half-written (each response has its event, each event its response)',
      stored.every((response) => eventIds.has(response.response_id)) &&
        events.every((event) => storedIds.has(event.entity_id)),
      `${stored.length} responses, ${events.length} response.submitted events`,
    ],
  ]);
} finally {
  await stop();
}
