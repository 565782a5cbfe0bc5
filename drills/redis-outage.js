// Drill: Redis stops for 30 s under a steady stream of submissions. Every submission must still be
// accepted (201: stored, its event in the outbox), and once Redis is back every notification email
// must arrive exactly once (the relay publishes what could not be queued).
// Usage: npm run drill -- redis-outage   (DRILL_OUTAGE_SECONDS, DRILL_RATE override the defaults)
import { setTimeout as sleep } from 'node:timers/promises';
import { publishedForm, submit, tenantWithOwner, waitFor } from '../harness/http-client.js';
import { report } from './support/report.js';
import { startStack } from './support/stack.js';

const OUTAGE_SECONDS = Number(process.env.DRILL_OUTAGE_SECONDS ?? 30);
const RATE = Number(process.env.DRILL_RATE ?? 10);
const CALM_SECONDS = 5;

// The relay looks again every second, and a failed publication is retried after 1 s, doubling.
const { app, stop, stores, smtp } = await startStack({
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
        submit(app, owner.tenant, formId, `visitor${answers.length + sent}@example.com`).catch((error) => ({
          status: 0,
          body: String(error),
          ms: Infinity,
        })),
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
  /** The distinct emails (Message-IDs) each response's notification arrived as. */
  const notified = () => {
    const emails = new Map();
    for (const message of smtp.messages) {
      const id = /\(([0-9a-f]{24})\)/.exec(message.text)?.[1];
      if (id) emails.set(id, new Set([...(emails.get(id) ?? []), message.messageId]));
    }
    return emails;
  };
  const found = await waitFor(
    () => notified(),
    (emails) => [...responseIds].every((id) => emails.has(id)),
    120_000,
  );
  await sleep(3000); // a late duplicate would show up now
  const final = notified();
  const missing = [...responseIds].filter((id) => !final.has(id)).length;
  // A job cut off by the outage between sending and completing sends again, as the same email.
  const duplicated = [...final.values()].filter((messageIds) => messageIds.size > 1).length;
  const resent = smtp.messages.length - [...final.values()].reduce((sum, messageIds) => sum + messageIds.size, 0);
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
      `${responseIds.size - missing} of ${responseIds.size} (${found.size} when the wait ended)`,
    ],
    [
      'no notification delivered as two emails',
      duplicated === 0,
      `${duplicated} (SMTP resends of the same email: ${resent})`,
    ],
    ['slowest submission', Number.isFinite(slowest), `${slowest.toFixed(0)} ms`],
  ]);
} finally {
  await stop();
}
