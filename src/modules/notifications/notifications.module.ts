import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { FormsModule } from '../forms/index.js';
import { EmailEventsListener } from './email-events.listener.js';
import { EmailJobsService } from './email-jobs.service.js';

/**
 * Email notifications, producer side (API and worker): the listener that turns events into email
 * jobs. Sending happens only in the worker (`NotificationsWorkerModule`), never in an HTTP handler.
 */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Email }), FormsModule],
  providers: [EmailJobsService, EmailEventsListener],
  exports: [EmailJobsService],
})
export class NotificationsModule {}
