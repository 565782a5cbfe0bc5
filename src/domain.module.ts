import { Module } from '@nestjs/common';
import { AuthModule } from './infrastructure/auth/auth.module.js';
import { RateLimitModule } from './infrastructure/rate-limit/rate-limit.module.js';
import { EventsModule } from './modules/events/events.module.js';
import { ExportsModule } from './modules/exports/exports.module.js';
import { FilesModule } from './modules/files/files.module.js';
import { InvitationsModule } from './modules/invitations/invitations.module.js';
import { FormsModule } from './modules/forms/forms.module.js';
import { ResponsesModule } from './modules/responses/responses.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';

/** The feature modules shared by the API and the worker (the worker serves none of their routes). */
@Module({
  imports: [
    AuthModule,
    RateLimitModule,
    EventsModule,
    UsersModule,
    FormsModule,
    FilesModule,
    ResponsesModule,
    WebhooksModule,
    ExportsModule,
    InvitationsModule,
  ],
  exports: [UsersModule, FormsModule, FilesModule, ResponsesModule, WebhooksModule, ExportsModule],
})
export class DomainModule {}
