// The dev stack's mail catcher when Mailpit cannot be built (no Go): an SMTP server on
// 127.0.0.1:${MAIL_PORT:-1025} that prints each email it receives (from, to, subject, text) and
// keeps nothing. Started by `npm start`; the worker's SMTP_URL points at it.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const port = Number(process.env.MAIL_PORT ?? 1025);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, _session, done) {
    simpleParser(stream)
      .then((mail) => {
        const to = [mail.to ?? []]
          .flat()
          .map((address) => address.text)
          .join(', ');
        process.stdout.write(
          `\n── email ── ${new Date().toISOString()}\nFrom: ${mail.from?.text ?? ''}\nTo: ${to}\nSubject: ${mail.subject ?? ''}\n\n${mail.text ?? ''}\n`,
        );
        done();
      })
      .catch(done);
  },
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`printing every email sent to smtp://127.0.0.1:${port}\n`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
