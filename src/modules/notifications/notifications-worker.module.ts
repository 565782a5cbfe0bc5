import { Module } from '@nestjs/common';
import { MailerModule } from '@nestjs-modules/mailer';
import { AppConfigModule } from '../../infrastructure/config/app-config.module.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { RateLimitModule } from '../../infrastructure/rate-limit/rate-limit.module.js';
import { FormsModule } from '../forms/index.js';
import { InvitationsModule } from '../invitations/index.js';
import { ResponsesModule } from '../responses/index.js';
import { TenantsModule } from '../tenants/index.js';
import { UsersModule } from '../users/index.js';
import { AccountEmailsService } from './account-emails.service.js';
import { AutoresponsesService } from './autoresponses.service.js';
import { EmailProcessor } from './email.processor.js';
import { LegacyEmailJobs } from './legacy-email-jobs.js';
import { MailService } from './mail.service.js';
import { NotificationsModule } from './notifications.module.js';
import { ResponseNotificationsService } from './response-notifications.service.js';

/** The `email` queue's processor and the SMTP transport: only the worker has a way to send mail. */
@Module({
  imports: [
    NotificationsModule,
    FormsModule,
    UsersModule,
    InvitationsModule,
    ResponsesModule,
    TenantsModule,
    RateLimitModule,
    MailerModule.forRootAsync({
      imports: [AppConfigModule],
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({ transport: config.mail.smtpUrl }),
    }),
  ],
  providers: [
    MailService,
    AccountEmailsService,
    ResponseNotificationsService,
    AutoresponsesService,
    EmailProcessor,
    LegacyEmailJobs,
  ],
})
export class NotificationsWorkerModule {}
