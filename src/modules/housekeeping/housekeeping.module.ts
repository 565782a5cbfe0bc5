import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../../infrastructure/queue/queue-names.js';

/** The `housekeeping` queue (the API's dashboard and metrics see it; the worker runs it). */
@Module({ imports: [BullModule.registerQueue({ name: QueueName.Housekeeping })], exports: [BullModule] })
export class HousekeepingModule {}
