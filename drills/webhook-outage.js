// Drill: a webhook receiver answers 503 for 2 minutes, then recovers. Every event must then be
// delivered (retried with backoff; the drill shortens it), every delivery must carry a valid
// signature (checked with the snippet docs/api.md gives receivers), and the delivery log must show
// the failed attempts before the success.
// Usage: npm run drill -- webhook-outage   (DRILL_OUTAGE_SECONDS, DRILL_EVENTS override the defaults)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { call, publishedForm, submit, tenantWithOwner, waitFor } from '../harness/http-client.js';
import { report } from './support/report.js';
import { startStack } from './support/stack.js';

const OUTAGE_SECONDS = Number(process.env.DRILL_OUTAGE_SECONDS ?? 120);
const EVENTS = Number(process.env.DRILL_EVENTS ?? 20);

/** The signature check of docs/api.md, run as written. */
async function documentedVerifier() {
  const snippet = /<!-- verify-webhook[^>]*-->\s*```js\n([\s\S]*?)\n```/.exec(readFileSync('docs/api.md', 'utf8'))[1];
  const file = join(mkdtempSync(join(tmpdir(), 'verify-webhook-')), 'verify-webhook.mjs');
  writeFileSync(file, snippet);
  return (await import(pathToFileURL(file).href)).verifyWebhook;
}

const verifyWebhook = await documentedVerifier();
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
  const badSignatures = received.filter((hook) => !verifyWebhook(secret, hook.headers, hook.body, 600)).length;
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
      'signatures valid (the docs/api.md snippet)',
      badSignatures === 0 && received.length > 0,
      `${received.length - badSignatures} of ${received.length}`,
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
