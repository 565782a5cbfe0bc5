// Drill: Redis stops for 30 s under a steady stream of submissions. Every submission must still be
// accepted (201: stored, its event in the outbox), and once Redis is back every notification email
// must arrive exactly once (the relay publishes what could not be queued).
// Usage: npm run drill -- redis-outage   (DRILL_OUTAGE_SECONDS, DRILL_RATE override the defaults)
import { setTimeout as sleep } from 'node:timers/promises';
import { report } from './support/report.js';
import {
  call,
  publishedForm,
  startApp,
  startSmtpSink,
  startStores,
  tenantWithOwner,
  waitFor,
} from './support/stack.js';

const OUTAGE_SECONDS = Number(process.env.DRILL_OUTAGE_SECONDS ?? 30);
const RATE = Number(process.env.DRILL_RATE ?? 10);
const CALM_SECONDS = 5;

const stores = await startStores();
const smtp = await startSmtpSink();
// The relay looks again every second, and a failed publication is retried after 1 s, doubling.
const app = await startApp(stores, smtp.url, {
  EVENT_RELAY_INTERVAL_MS: '1000',
  EVENT_RETRY_MS: '1000',
  EVENT_RELAY_GRACE_MS: '5000',
});
try {
  const owner = await tenantWithOwner(app);
  const formId = await publishedForm(app, owner);

  const answers = [];
  const submitAtRate = async (seconds) => {
    const pending = [];
    for (let sent = 0; sent < seconds * RATE; sent += 1) {
      pending.push(
        call(app.base, `/api/v1/forms/${formId}/submit`, {
          method: 'POST',
          headers: { 'x-tenant-id': owner.tenant },
          body: { data: { email: `visitor${answers.length + sent}@example.com` } },
        }).catch((error) => ({ status: 0, body: String(error), ms: Infinity })),
      );
      await sleep(1000 / RATE);
    }
    answers.push(...(await Promise.all(pending)));
  };

  await submitAtRate(CALM_SECONDS);
  await stores.redis.stop();
  const outageStarted = answers.length;
  await submitAtRate(OUTAGE_SECONDS);
  const duringOutage = answers.slice(outageStarted);
  await stores.redis.start();
  await submitAtRate(CALM_SECONDS);

  const accepted = answers.filter((answer) => answer.status === 201);
  const responseIds = new Set(accepted.map((answer) => answer.body.response_id));
  const notified = () => {
    const counts = new Map();
    for (const message of smtp.messages) {
      const id = /\(([0-9a-f]{24})\)/.exec(message.text)?.[1];
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
  const counts = await waitFor(
    () => notified(),
    (found) => [...responseIds].every((id) => found.has(id)),
    120_000,
  );
  await sleep(3000); // a late duplicate would show up now
  const final = notified();
  const missing = [...responseIds].filter((id) => !final.has(id)).length;
  const duplicated = [...final.values()].filter((count) => count > 1).length;
  const slowest = Math.max(...answers.map((answer) => answer.ms));
  const statuses = [...new Set(answers.map((answer) => answer.status))].join(', ');

  report('redis-outage', [
    [
      'submissions accepted (201)',
      accepted.length === answers.length,
      `${accepted.length} of ${answers.length} (statuses: ${statuses})`,
    ],
    [
      'accepted while Redis was down',
      duringOutage.every((answer) => answer.status === 201),
      `${duringOutage.filter((answer) => answer.status === 201).length} of ${duringOutage.length} in ${OUTAGE_SECONDS} s`,
    ],
    [
      'every notification delivered',
      missing === 0,
      `${responseIds.size - missing} of ${responseIds.size} (waited for ${counts.size})`,
    ],
    ['no notification delivered twice', duplicated === 0, `${duplicated} duplicated`],
    ['slowest submission', Number.isFinite(slowest), `${slowest.toFixed(0)} ms`],
  ]);
} finally {
  await app.stop();
  await smtp.stop();
  await stores.stop();
}
