// Drill: a webhook receiver answers 503 for 2 minutes, then recovers. Every event must then be
// delivered (retried with backoff; the drill shortens it), every delivery must carry a valid
// signature (checked on arrival with the Node and the Python snippets docs/api.md gives receivers,
// both built on the official Standard Webhooks libraries, which must also refuse a tampered body and
// a wrong secret), and the delivery log must show the failed attempts before the success.
// Usage: npm run drill -- webhook-outage   (DRILL_OUTAGE_SECONDS, DRILL_EVENTS override the defaults)
import { createServer } from 'node:http';
import { call, publishedForm, submit, tenantWithOwner, waitFor } from '../harness/http-client.js';
import { documentedNodeVerifier, documentedPythonVerifier } from '../harness/webhook-verifiers.js';
import { report } from './support/report.js';
import { startStack } from './support/stack.js';

const OUTAGE_SECONDS = Number(process.env.DRILL_OUTAGE_SECONDS ?? 120);
const EVENTS = Number(process.env.DRILL_EVENTS ?? 20);

const verifyWebhook = await documentedNodeVerifier();
const verifyInPython = documentedPythonVerifier();
/** Filled in once subscribed: deliveries are checked as they arrive, well within the 5-minute tolerance. */
const subscription = { secret: '' };
const WRONG_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const nodeVerdict = (secret, headers, body) => {
  try {
    verifyWebhook(secret, headers, body);
    return 'ok';
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
};
const checks = [];
/** Both snippets on one delivery: the genuine one must pass, a tampered body and a wrong secret must not. */
function check(headers, body) {
  const { secret } = subscription;
  const tampered = Buffer.from(body.toString('utf8').replace('visitor', 'intruder'));
  const cases = [
    { secret, headers, body },
    { secret, headers, body: tampered },
    { secret: WRONG_SECRET, headers, body },
  ];
  checks.push(
    verifyInPython(cases).then((python) => ({
      node: cases.map((one) => nodeVerdict(one.secret, one.headers, one.body)),
      python,
    })),
  );
}
const outageEnds = { at: Infinity };
const received = [];
let refused = 0;
const receiver = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (Date.now() < outageEnds.at) {
      refused += 1;
      return response.writeHead(503).end();
    }
    received.push({ headers: request.headers, body: Buffer.concat(chunks) });
    check(request.headers, Buffer.concat(chunks));
    response.writeHead(204).end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));

// Retries after about 1, 2, 4, … 64 s (±50%): the delivery that outlasts the outage comes within a minute or so.
const { app, stop } = await startStack({
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_BACKOFF_MS: '1000',
  WEBHOOK_ATTEMPTS: '12',
});
try {
  const owner = await tenantWithOwner(app, { features: { webhooks: true } });
  const formId = await publishedForm(app, owner);
  const subscribed = await call(app.base, '/api/v1/webhooks', {
    method: 'POST',
    headers: owner.headers,
    body: { url: `http://127.0.0.1:${receiver.address().port}/hook`, events: ['response.submitted'] },
  });
  const { webhook_id: webhookId, secret } = subscribed.body;
  subscription.secret = secret;

  outageEnds.at = Date.now() + OUTAGE_SECONDS * 1000;
  const responseIds = [];
  for (let sent = 0; sent < EVENTS; sent += 1) {
    const answer = await submit(app, owner.tenant, formId, `visitor${sent}@example.com`);
    responseIds.push(answer.body.response_id);
  }
  const deliveries = async () =>
    (await call(app.base, `/api/v1/webhooks/${webhookId}/deliveries`, { headers: owner.headers })).body.data;
  const log = await waitFor(
    deliveries,
    (list) => list.length === EVENTS && list.every((delivery) => delivery.status === 'succeeded'),
    (OUTAGE_SECONDS + 180) * 1000,
    1000,
  );
  const recoveredAfter = (Date.now() - outageEnds.at) / 1000;

  const envelopes = received.map((hook) => JSON.parse(hook.body.toString('utf8')));
  const delivered = new Set(envelopes.map((envelope) => envelope.entity_id));
  const verdicts = await Promise.all(checks);
  const genuine = (runtime) => verdicts.filter((verdict) => verdict[runtime][0] === 'ok').length;
  const refusedForgeries = (runtime) =>
    verdicts.filter((verdict) => verdict[runtime].slice(1).every((one) => one.includes('No matching signature')))
      .length;
  const firstPythonError = verdicts.find((verdict) => verdict.python[0] !== 'ok')?.python[0];
  const ids = new Set(received.map((hook) => hook.headers['webhook-id']));
  const attempts = log.map((delivery) => delivery.attempts);
  report('webhook-outage', [
    ['receiver refused during the outage', refused >= EVENTS, `${refused} answers 503 over ${OUTAGE_SECONDS} s`],
    [
      'every event delivered',
      responseIds.every((id) => delivered.has(id)),
      `${delivered.size} of ${EVENTS}, the last ${recoveredAfter.toFixed(0)} s after recovery`,
    ],
    ['each delivered once after recovery', received.length === EVENTS, `${received.length} successful deliveries`],
    [
      'signatures valid (docs/api.md Node snippet, official standardwebhooks npm package)',
      verdicts.length === received.length && genuine('node') === received.length && received.length > 0,
      `${genuine('node')} of ${received.length}`,
    ],
    [
      'signatures valid (docs/api.md Python snippet, official standardwebhooks PyPI package)',
      verdicts.length === received.length && genuine('python') === received.length && received.length > 0,
      `${genuine('python')} of ${received.length}${firstPythonError ? ` (${firstPythonError})` : ''}`,
    ],
    [
      'tampered bodies and a wrong secret refused (both)',
      refusedForgeries('node') === received.length && refusedForgeries('python') === received.length,
      `node ${refusedForgeries('node')}, python ${refusedForgeries('python')} of ${received.length}`,
    ],
    [
      'webhook-id is the event_id',
      envelopes.every((envelope, index) => received[index].headers['webhook-id'] === envelope.event_id) &&
        ids.size === received.length,
      `${ids.size} distinct ids`,
    ],
    [
      'delivery log shows the attempts',
      log.length === EVENTS && attempts.every((count) => count > 1),
      `attempts per event: ${Math.min(...attempts)} to ${Math.max(...attempts)}, all ${[...new Set(log.map((delivery) => delivery.status))].join(', ')}`,
    ],
  ]);
} finally {
  await stop();
  receiver.closeAllConnections();
  receiver.close();
}
