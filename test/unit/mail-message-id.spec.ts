import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { MailerService } from '@nestjs-modules/mailer';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { MailService } from '../../src/modules/notifications/mail.service.js';

/** A mailer that keeps what it was asked to send and answers the Message-ID it was given (or one). */
function capturingMailer() {
  const sent: { messageId?: string }[] = [];
  const mailer = {
    sendMail: async (options: { messageId?: string }) => {
      sent.push(options);
      return { messageId: options.messageId ?? `<random-${sent.length}@form-backend.test>` };
    },
  } as unknown as MailerService;
  return { sent, mailer };
}

describe('MailService Message-IDs', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const config = { mail: { from: 'Forms <forms@example.com>' } } as unknown as AppConfigService;
  const mail = {
    to: 'ada@example.com',
    template: 'welcome' as const,
    context: { name: 'Ada', email: 'ada@example.com' },
  };

  it('gives a resend of the same job the same Message-ID, on the sender domain, and another job another', async () => {
    const { sent, mailer } = capturingMailer();
    const service = new MailService(mailer, config);
    const first = await service.send({ ...mail, sendingId: 'event-1.notify.ada@example.com' });
    const again = await service.send({ ...mail, sendingId: 'event-1.notify.ada@example.com' });
    const other = await service.send({ ...mail, sendingId: 'event-2.notify.ada@example.com' });
    expect(first).toMatch(/^<[0-9a-f]{32}@example\.com>$/);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(sent.map((options) => options.messageId)).toEqual([first, first, other]);
  });

  it('leaves the Message-ID to the mailer when the email has no sending id (a new token each time)', async () => {
    const { sent, mailer } = capturingMailer();
    await new MailService(mailer, config).send(mail);
    expect(sent[0].messageId).toBeUndefined();
  });

  it("sends nothing once the job's time limit fired: the job's retry sends it instead, never both", async () => {
    const { sent, mailer } = capturingMailer();
    const stop = new AbortController();
    stop.abort(new Error('Job email.1 of email ran longer than 300000 ms'));
    await expect(new MailService(mailer, config).send({ ...mail, stop: stop.signal })).rejects.toThrow(
      'ran longer than',
    );
    expect(sent).toEqual([]);
  });
});
