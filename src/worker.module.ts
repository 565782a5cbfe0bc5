import { Module } from '@nestjs/common';
import { CoreModule } from './core.module.js';
import { TasksWorkerModule } from './modules/tasks/tasks-worker.module.js';

/** The worker: the same module graph with the queue processors and no HTTP server. */
@Module({
  imports: [CoreModule, TasksWorkerModule],
})
export class WorkerModule {}
