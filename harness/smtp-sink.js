// A real SMTP server in-process that keeps what it receives: the tests' and the drills' mail sink
// (never a mocked transport). It can refuse the next messages (451) or take its time with each one.
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.js';

/** `delayMs` slows each message down (a slow relay); `failNext(n)` refuses the next n (try again later). */
export async function startSmtpSink({ delayMs = 0 } = {}) {
  const messages = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', async () => {
        if (failures > 0) {
          failures -= 1;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        try {
          const raw = Buffer.concat(chunks);
          const parsed = await simpleParser(raw);
          if (delayMs) await sleep(delayMs);
          messages.push({
            to: session.envelope.rcptTo.map((address) => address.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId,
            replyTo: parsed.replyTo?.text,
            headerLines: raw
              .toString('utf8')
              .split(/\r?\n\r?\n/)[0]
              .split(/\r?\n(?![ \t])/),
          });
          callback();
        } catch (error) {
          callback(error);
        }
      });
    },
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    failNext: (count) => {
      failures = count;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
