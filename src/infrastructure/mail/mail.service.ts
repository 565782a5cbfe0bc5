import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppConfigService } from '../config/app-config.service.js';
import { type MailTemplate, renderMail } from './mail-templates.js';

export interface Mail {
  to: string;
  template: MailTemplate;
  context: Record<string, unknown>;
}

/** Sends rendered templates over SMTP (`SMTP_URL`); called by the email queue's processor only. */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(config: AppConfigService) {
    this.transport = nodemailer.createTransport(config.mail.smtpUrl);
    this.from = config.mail.from;
  }

  /** Rejects when the SMTP server refuses or is unreachable, so the job is retried. */
  async send(mail: Mail): Promise<string> {
    const { subject, text } = renderMail(mail.template, mail.context);
    const info = await this.transport.sendMail({ from: this.from, to: mail.to, subject, text });
    this.logger.log({ msg: 'mail sent', template: mail.template, message_id: info.messageId });
    return info.messageId;
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
