import { Module } from '@nestjs/common';
import { DiagnosticsProcessor } from './diagnostics/diagnostics.processor.js';
import { TasksModule } from './tasks.module.js';

/** The queue processors; loaded only by the worker entry point. */
@Module({
  imports: [TasksModule],
  providers: [DiagnosticsProcessor],
})
export class TasksWorkerModule {}
