import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { DomainModule } from './domain.module.js';
import { WorkerMetricsServer } from './infrastructure/metrics/worker-metrics.server.js';
import { EventsWorkerModule } from './modules/events/events-worker.module.js';
import { TasksWorkerModule } from './modules/tasks/tasks-worker.module.js';

/** The worker: the same module graph with the queue processors and the event relay, no HTTP server. */
@Module({
  imports: [CoreModule, DomainModule, EventsWorkerModule, TasksWorkerModule],
  providers: [WorkerMetricsServer],
})
export class WorkerModule {}
