import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AdminKeyModule } from '../../infrastructure/http/admin-key.module.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { DiagnosticsController } from './diagnostics.controller.js';
import { DiagnosticsService } from './diagnostics.service.js';

/** Operators put a trivial job through the queue to see a worker pick work up end to end. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Diagnostics }), AdminKeyModule],
  controllers: [DiagnosticsController],
  providers: [DiagnosticsService],
})
export class DiagnosticsModule {}
