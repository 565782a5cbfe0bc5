// Drill: the worker is killed (SIGKILL) in the middle of a batch of 200 notification emails, then
// started again. Every email must arrive exactly once: none lost (BullMQ hands a dead worker's jobs
// out again), and a resend of an email the SMTP server had already taken carries the same
// Message-ID, which mailboxes show once.
// Usage: npm run drill -- worker-crash   (DRILL_EMAILS overrides the batch size)
import { setTimeout as sleep } from 'node:timers/promises';
import { publishedForm, submit, tenantWithOwner, waitFor } from '../harness/http-client.js';
import { report } from './support/report.js';
import { startStack } from './support/stack.js';

const EMAILS = Number(process.env.DRILL_EMAILS ?? 200);

// Each email takes the SMTP server 25 ms, so the batch is still being sent when the worker dies.
const { app, stop, smtp } = await startStack({ QUEUE_CONCURRENCY: '5' }, { smtpDelayMs: 25 });
try {
  const owner = await tenantWithOwner(app);
  const formId = await publishedForm(app, owner);
  await app.worker.stop();
  const responseIds = [];
  for (let sent = 0; sent < EMAILS; sent += 1) {
    const answer = await submit(app, owner.tenant, formId, `visitor${sent}@example.com`);
    if (answer.status !== 201) throw new Error(`submission ${sent}: ${answer.status} ${JSON.stringify(answer.body)}`);
    responseIds.push(answer.body.response_id);
  }

  await app.worker.start();
  await waitFor(
    () => smtp.messages.length,
    (count) => count >= EMAILS / 4,
    60_000,
    20,
  );
  const beforeKill = smtp.messages.length;
  await app.worker.stop('SIGKILL');
  const killedAt = Date.now();
  await app.worker.start();
  const notifications = () => smtp.messages.filter((message) => message.subject.startsWith('New response'));
  const responseOf = (message) => /\(([0-9a-f]{24})\)/.exec(message.text)?.[1];
  // A dead worker's active jobs come back after their lock expires and a stalled check sees them (30 s each).
  await waitFor(
    () => new Set(notifications().map(responseOf)).size,
    (count) => count >= EMAILS,
    150_000,
  );
  const recoveredAfter = (Date.now() - killedAt) / 1000;
  await sleep(3000); // a late duplicate would show up now
  const received = notifications();
  const perResponse = new Map();
  for (const message of received) {
    const id = responseOf(message);
    perResponse.set(id, new Set([...(perResponse.get(id) ?? []), message.messageId]));
  }
  const missing = responseIds.filter((id) => !perResponse.has(id)).length;
  const twice = [...perResponse.values()].filter((messageIds) => messageIds.size > 1).length;
  const resent = received.length - perResponse.size;

  report('worker-crash', [
    ['emails sent before the kill', beforeKill > 0 && beforeKill < EMAILS, `${beforeKill} of ${EMAILS}`],
    [
      'every email arrived',
      missing === 0,
      `${EMAILS - missing} of ${EMAILS}, ${recoveredAfter.toFixed(0)} s after the kill`,
    ],
    [
      'each exactly once (distinct Message-IDs per response)',
      twice === 0,
      `${twice} responses with two different emails`,
    ],
    ['resent by SMTP after the kill, same Message-ID', true, `${resent}`],
  ]);
} finally {
  await stop();
}
