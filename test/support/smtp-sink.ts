import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { freePort } from './stores.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** The HTML part, or '' when the email has none. */
  html: string;
}

export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  /** The next `count` messages are refused with a temporary error (451). */
  failNext(count: number): void;
  stop(): Promise<void>;
}

/** A real SMTP server in-process that keeps what it receives (and can refuse on demand). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        // A message that cannot be parsed is refused to the sender, not dropped without a word.
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            messages.push({
              to: session.envelope.rcptTo.map((address) => address.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    failNext: (count) => {
      failures = count;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
