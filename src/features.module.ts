import { ErasureModule } from './modules/erasure/erasure.module.js';
import { Module } from '@nestjs/common';
import { DiagnosticsModule } from './modules/diagnostics/diagnostics.module.js';
import { ExportsModule } from './modules/exports/exports.module.js';
import { FilesModule } from './modules/files/files.module.js';
import { FormsModule } from './modules/forms/forms.module.js';
import { HousekeepingModule } from './modules/housekeeping/housekeeping.module.js';
import { InvitationsModule } from './modules/invitations/invitations.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { ResponsesModule } from './modules/responses/responses.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';

/**
 * Every feature module: the API serves their routes; the worker loads them for its event relay
 * (every feature's events and listeners) and serves none of their routes.
 */
@Module({
  imports: [
    UsersModule,
    FormsModule,
    FilesModule,
    ResponsesModule,
    InvitationsModule,
    WebhooksModule,
    ExportsModule,
    NotificationsModule,
    DiagnosticsModule,
    HousekeepingModule,
    ErasureModule,
  ],
})
export class FeaturesModule {}
