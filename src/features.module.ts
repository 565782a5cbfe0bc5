import { Module } from '@nestjs/common';
import { DiagnosticsModule } from './modules/diagnostics/index.js';
import { ErasureModule } from './modules/erasure/index.js';
import { ExportsModule } from './modules/exports/index.js';
import { FilesModule } from './modules/files/index.js';
import { FormsModule } from './modules/forms/index.js';
import { HousekeepingModule } from './modules/housekeeping/index.js';
import { InvitationsModule } from './modules/invitations/index.js';
import { NotificationsModule } from './modules/notifications/index.js';
import { ResponsesModule } from './modules/responses/index.js';
import { UsersModule } from './modules/users/index.js';
import { WebhooksModule } from './modules/webhooks/index.js';

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
