import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { DiagnosticsController } from './diagnostics/diagnostics.controller.js';
import { DiagnosticsService } from './diagnostics/diagnostics.service.js';
import { EmailEventsListener } from './email/email-events.listener.js';
import { EmailJobs } from './email/email-jobs.service.js';
import { QueueMonitor } from './queue-monitor.js';

/**
 * Queue producers: the event listeners that turn events into jobs, and their HTTP endpoints. Both
 * processes load it (the worker's event relay publishes too); the processors live in TasksWorkerModule.
 */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.diagnostics }, { name: QueueName.email })],
  controllers: [DiagnosticsController],
  providers: [DiagnosticsService, EmailJobs, EmailEventsListener, QueueMonitor],
  exports: [DiagnosticsService, EmailJobs],
})
export class TasksModule {}
