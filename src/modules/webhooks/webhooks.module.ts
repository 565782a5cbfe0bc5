import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { WebhookEventsListener } from './webhook-events.listener.js';
import { WebhookJobs } from './webhook-jobs.service.js';
import { Webhook, WebhookDelivery, WebhookDeliverySchema, WebhookSchema } from './webhook.schema.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Subscriptions, their API and the listener that queues deliveries (the processor runs in the worker). */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Webhook.name, schema: WebhookSchema },
      { name: WebhookDelivery.name, schema: WebhookDeliverySchema },
    ]),
    BullModule.registerQueue({ name: QueueName.webhook }),
  ],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookJobs, WebhookEventsListener],
  exports: [WebhooksRepository],
})
export class WebhooksModule {}
