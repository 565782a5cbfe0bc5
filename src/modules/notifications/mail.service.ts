import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { type EmailTemplate, type RenderedEmail, renderEmail } from './email-templates.js';

export interface Mail {
  to: string;
  template: EmailTemplate;
  context: Record<string, unknown>;
  /**
   * Names this one email (its job's id): a resend after a crash carries the same Message-ID, which
   * mailboxes use to show it once. Not for emails whose content changes on a resend (a new token).
   */
  sendingId?: string;
  /** The job's time limit: once it fired nothing is sent, and the job's retry sends it instead, never both. */
  stop?: AbortSignal;
}

/** An email whose content was rendered by its sender (an autoresponse: the form's own words). */
export interface RenderedMail extends Omit<Mail, 'template' | 'context'> {
  content: RenderedEmail;
  /** What the log line calls it, in place of a template's name. */
  kind: string;
  replyTo?: string;
}

/** Renders a template and sends it over SMTP (`SMTP_URL`); only the email processor calls it. */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);
  private readonly from: string;
  private readonly domain: string;

  constructor(
    private readonly mailer: MailerService,
    config: AppConfigService,
  ) {
    this.from = config.mail.from;
    this.domain = /@([^>\s]+)/.exec(this.from)?.[1] ?? 'form-backend';
  }

  /** Rejects when the SMTP server refuses or is unreachable, so the job is retried. */
  send(mail: Mail): Promise<string> {
    const { template, context, ...rest } = mail;
    return this.sendRendered({ ...rest, content: renderEmail(template, context), kind: template });
  }

  /** Sends an email rendered by its sender; rejects as `send` does. */
  async sendRendered(mail: RenderedMail): Promise<string> {
    const { subject, text, html } = mail.content;
    mail.stop?.throwIfAborted();
    const messageId = mail.sendingId
      ? `<${createHash('sha256').update(mail.sendingId).digest('hex').slice(0, 32)}@${this.domain}>`
      : undefined;
    const info = (await this.mailer.sendMail({
      from: this.from,
      to: mail.to,
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      subject,
      text,
      html,
      messageId,
    })) as { messageId: string };
    this.logger.log({ msg: 'mail sent', template: mail.kind, message_id: info.messageId });
    return info.messageId;
  }
}
