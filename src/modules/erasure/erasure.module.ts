import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { V1BackupsModule } from '../../infrastructure/migrations/v1-backups.module.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantDataEraser } from '../../infrastructure/tenancy/tenant-data-eraser.js';
import { EventsModule } from '../events/index.js';
import { ExportsModule } from '../exports/index.js';
import { FilesModule } from '../files/index.js';
import { FormsModule } from '../forms/index.js';
import { ResponsesModule } from '../responses/index.js';
import { TenantsModule } from '../tenants/index.js';
import { UsersModule } from '../users/index.js';
import { ErasureEventsListener } from './erasure-events.listener.js';
import { ErasureJobsService } from './erasure-jobs.service.js';
import { erasureTargetsProvider } from './erasure-targets.js';
import { ErasureService } from './erasure.service.js';
import { ResponseErasureService } from './response-erasure.service.js';
import { RetentionRun, RetentionRunSchema } from './retention-run.schema.js';
import { RetentionRunsRepository } from './retention-runs.repository.js';
import { RetentionService } from './retention.service.js';
import { TenantErasureService } from './tenant-erasure.service.js';
import { TenantJobsEraser } from './tenant-jobs-eraser.js';
import { V1BackupsErasureTarget } from './v1-backups.target.js';

/**
 * # Erasure: what happens when something is erased
 *
 * Every erasure lives here and runs on one queue, `erasure` (its processor in the worker only).
 * A deletion answers at once (`404`, or `403 tenant_suspended` for a tenant) and announces itself
 * with an event; `ErasureEventsListener` turns the event into a job (`ErasureJobsService`, which
 * alone holds the queue); the job erases the data from
 * everywhere it was copied, through each feature's tenant-scoped service. Every step can be repeated,
 * so a job killed at any point and run again (BullMQ retries it) finishes the work, and the scheduled
 * runs finish what a lost job left.
 *
 * | what                    | announced by       | job              | done by                                     |
 * |-------------------------|--------------------|------------------|---------------------------------------------|
 * | a response              | `response.deleted` | `response`       | `ResponseErasureService` (its steps)        |
 * | files a PATCH dropped   | `response.updated` | `response-files` | `ResponseErasureService.eraseReleasedFiles` |
 * | a form                  | `form.deleted`     | `form`           | `ErasureService.eraseForm`                  |
 * | a removed member        | `user.removed`     | `member`         | `ErasureService.eraseMember`                |
 * | a tenant                | `tenant.deleted`   | `tenant`         | `TenantErasureService`                      |
 * | old responses and audit | schedule (daily)   | `retention`      | `RetentionService`                          |
 * | tenants left `deleting` | schedule (hourly)  | `sweep`          | `TenantErasureService.finishPending`        |
 *
 * - A response's data leaves: its document, its events' payloads in the audit log (envelopes stay,
 *   `redacted`), export files that may hold it, files only it named, queued jobs (email and webhook
 *   jobs carry ids and read the data when they run, so they hold none), and every `ErasureTarget`.
 * - A tenant's: its files' bytes, its jobs in every queue, then every document with its `tenant_id` in
 *   every collection (`TenantDataEraser`, in src/infrastructure/tenancy/: raw access stays there),
 *   swept again until a count finds none; its id is held back from new tenants for a while.
 * - Other places that keep copies plug in as an `ErasureTarget` (erasure-targets.ts): the response,
 *   member and tenant erasures call every one. The first: the v1 backups migration 001 keeps until
 *   `migrate finalize 1` (`V1BackupsErasureTarget`).
 * - A spam expiry (spam erased `spam_retention_days` after it arrived) belongs in `RetentionService`'s
 *   run per tenant, erasing through `ErasureService` as retention does.
 * - Not erasure: the hourly housekeeping sweep of expired export files and unused uploads
 *   (src/modules/housekeeping/).
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: RetentionRun.name, schema: RetentionRunSchema }]),
    BullModule.registerQueue({ name: QueueName.Erasure }),
    EventsModule,
    ResponsesModule,
    FormsModule,
    FilesModule,
    ExportsModule,
    TenantsModule,
    UsersModule,
    V1BackupsModule,
  ],
  providers: [
    erasureTargetsProvider,
    V1BackupsErasureTarget,
    ErasureEventsListener,
    ErasureJobsService,
    ErasureService,
    ResponseErasureService,
    RetentionRunsRepository,
    RetentionService,
    TenantDataEraser,
    TenantJobsEraser,
    TenantErasureService,
  ],
  // The queue stays inside: the worker's schedules reach it through `ErasureJobsService`.
  exports: [ErasureService, RetentionService, TenantErasureService, ErasureJobsService],
})
export class ErasureModule {}
