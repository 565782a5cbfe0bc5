import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { EventsModule } from '../events/events.module.js';
import { ExportsModule } from '../exports/exports.module.js';
import { FilesModule } from '../files/files.module.js';
import { FormsModule } from '../forms/forms.module.js';
import { ResponsesModule } from '../responses/responses.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { TenantJobsEraser } from '../../infrastructure/queue/tenant-jobs-eraser.js';
import { TenantDataEraser } from '../../infrastructure/tenancy/tenant-data-eraser.js';
import { RetentionService } from './retention.service.js';
import { TenantErasureService } from './tenant-erasure.service.js';
import { ErasureEventsListener } from './erasure-events.listener.js';
import { ErasureService } from './erasure.service.js';
import { RetentionRun, RetentionRunSchema } from './retention-run.schema.js';
import { RetentionRunsRepository } from './retention-runs.repository.js';

/**
 * Deletion's second half: `response.deleted` and `form.deleted` become `erasure` jobs that remove the
 * data from everywhere it was copied (audit log payloads, files, exports, versions); the daily
 * retention run; and the erasure of a deleted tenant (run by the housekeeping queue).
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: RetentionRun.name, schema: RetentionRunSchema }]),
    BullModule.registerQueue({ name: QueueName.erasure }),
    EventsModule,
    ResponsesModule,
    FormsModule,
    FilesModule,
    ExportsModule,
    TenantsModule,
    UsersModule,
  ],
  providers: [
    ErasureEventsListener,
    ErasureService,
    RetentionRunsRepository,
    RetentionService,
    TenantDataEraser,
    TenantJobsEraser,
    TenantErasureService,
  ],
  exports: [ErasureService, RetentionService, TenantErasureService],
})
export class ErasureModule {}
