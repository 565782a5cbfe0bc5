import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { DiagnosticsController } from './diagnostics/diagnostics.controller.js';
import { DiagnosticsService } from './diagnostics/diagnostics.service.js';

/** Queue producers and their HTTP endpoints; the API process loads this, never the processors. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.diagnostics })],
  controllers: [DiagnosticsController],
  providers: [DiagnosticsService],
  exports: [DiagnosticsService],
})
export class TasksModule {}
