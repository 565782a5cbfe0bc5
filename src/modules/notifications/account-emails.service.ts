import { Injectable, Logger } from '@nestjs/common';
import { InvitationsService } from '../invitations/index.js';
import { PasswordResetService, UsersService } from '../users/index.js';
import type {
  InvitationEmailJob,
  PasswordResetEmailJob,
  WebhookDisabledEmailJob,
  WelcomeEmailJob,
} from './email.types.js';
import { MailService } from './mail.service.js';

/**
 * The emails to members, read from the store when they are sent (a member removed meanwhile gets
 * none, and no job holds their details), and the ones that carry a single-use link. Their token is minted here, in the worker, right before the
 * email is sent: it lives in that email and in this process's memory only (never in a job, an event,
 * Redis or a log). A retried send mints a new token, which replaces the one of a send that failed.
 */
@Injectable()
export class AccountEmailsService {
  private readonly logger = new Logger(AccountEmailsService.name);

  constructor(
    private readonly invitations: InvitationsService,
    private readonly passwordReset: PasswordResetService,
    private readonly users: UsersService,
    private readonly mail: MailService,
  ) {}

  async sendWelcome(
    job: WelcomeEmailJob,
    sendingId?: string,
    stop?: AbortSignal,
  ): Promise<{ message_id?: string; skipped?: string }> {
    const member = await this.users.contactOf(job.user_id);
    if (!member) return this.skipped('user no longer exists', job.user_id);
    const message_id = await this.mail.send({
      to: member.email,
      template: 'welcome',
      context: member,
      sendingId,
      stop,
    });
    return { message_id };
  }

  async sendInvitation(
    job: InvitationEmailJob,
    stop?: AbortSignal,
  ): Promise<{ message_id?: string; skipped?: string }> {
    const email = await this.invitations.issueEmail(job.invitation_id);
    if (!email) return this.skipped('invitation no longer pending', job.invitation_id);
    const message_id = await this.mail.send({
      to: email.email,
      template: 'invitation',
      context: { ...job.context, link: email.link, expires_at: email.expires_at.toUTCString() },
      stop,
    });
    return { message_id };
  }

  async sendPasswordReset(
    job: PasswordResetEmailJob,
    stop?: AbortSignal,
  ): Promise<{ message_id?: string; skipped?: string }> {
    const email = await this.passwordReset.issueEmail(job.user_id);
    if (!email) return this.skipped('user no longer exists', job.user_id);
    const message_id = await this.mail.send({
      to: email.email,
      template: 'password-reset',
      context: { name: email.name, email: email.email, link: email.link },
      stop,
    });
    return { message_id };
  }

  /** One email to each owner of the tenant (as they are when it is sent); a resend keeps each Message-ID. */
  async sendWebhookDisabled(
    job: WebhookDisabledEmailJob,
    sendingId?: string,
    stop?: AbortSignal,
  ): Promise<{ message_ids: string[] }> {
    const owners = (await this.users.list()).filter((user) => user.role === 'owner');
    const message_ids: string[] = [];
    for (const owner of owners) {
      message_ids.push(
        await this.mail.send({
          to: owner.email,
          template: 'webhook-disabled',
          context: { name: owner.name, webhook_id: job.webhook_id, failing: job.reason === 'failing' },
          sendingId: sendingId && `${sendingId}.${owner._id.toHexString()}`,
          stop,
        }),
      );
    }
    return { message_ids };
  }

  private skipped(reason: string, id: string): { skipped: string } {
    this.logger.log({ msg: 'email not sent', reason, id });
    return { skipped: reason };
  }
}
