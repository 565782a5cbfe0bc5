import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { FeaturesModule } from './features.module.js';
import { WorkerMetricsServer } from './infrastructure/metrics/worker-metrics.server.js';
import { QueueMonitorModule } from './infrastructure/queue/queue-monitor.module.js';
import { WorkerQueuesModule } from './infrastructure/queue/worker-queues.module.js';
import { DiagnosticsWorkerModule } from './modules/diagnostics/index.js';
import { ErasureWorkerModule } from './modules/erasure/index.js';
import { EventsWorkerModule } from './modules/events/index.js';
import { ExportsWorkerModule } from './modules/exports/index.js';
import { HousekeepingWorkerModule } from './modules/housekeeping/index.js';
import { NotificationsWorkerModule } from './modules/notifications/index.js';
import { DefaultTenantBootstrap, TenantsModule } from './modules/tenants/index.js';
import { WebhooksWorkerModule } from './modules/webhooks/index.js';

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
