import { ErasureWorkerModule } from './modules/erasure/erasure-worker.module.js';
import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { FeaturesModule } from './features.module.js';
import { WorkerMetricsServer } from './infrastructure/metrics/worker-metrics.server.js';
import { QueueMonitorModule } from './infrastructure/queue/queue-monitor.module.js';
import { WorkerQueuesModule } from './infrastructure/queue/worker-queues.module.js';
import { DiagnosticsWorkerModule } from './modules/diagnostics/diagnostics-worker.module.js';
import { EventsWorkerModule } from './modules/events/events-worker.module.js';
import { ExportsWorkerModule } from './modules/exports/exports-worker.module.js';
import { HousekeepingWorkerModule } from './modules/housekeeping/housekeeping-worker.module.js';
import { NotificationsWorkerModule } from './modules/notifications/notifications-worker.module.js';
import { DefaultTenantBootstrap } from './modules/tenants/default-tenant-bootstrap.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';
import { WebhooksWorkerModule } from './modules/webhooks/webhooks-worker.module.js';

/**
 * The worker: each feature with background work brings its processors in its own worker module;
 * every feature (`FeaturesModule`) is loaded for the event relay, which publishes any feature's
 * pending events; no HTTP server (only the metrics port).
 */
@Module({
  imports: [
    CoreModule,
    WorkerQueuesModule,
    QueueMonitorModule,
    FeaturesModule,
    EventsWorkerModule,
    NotificationsWorkerModule,
    WebhooksWorkerModule,
    ExportsWorkerModule,
    HousekeepingWorkerModule,
    ErasureWorkerModule,
    DiagnosticsWorkerModule,
    TenantsModule,
  ],
  providers: [WorkerMetricsServer, DefaultTenantBootstrap],
})
export class WorkerModule {}
