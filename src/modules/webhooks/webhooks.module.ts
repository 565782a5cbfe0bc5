import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoreLock } from '../../infrastructure/database/store-lock.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { EventsModule } from '../events/index.js';
import { FormsModule } from '../forms/index.js';
import { NotificationsModule } from '../notifications/index.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookEventsListener } from './webhook-events.listener.js';
import { WebhookHealthService } from './webhook-health.service.js';
import { WebhookHostResolver } from './webhook-host-resolver.js';
import { WebhookJobsService } from './webhook-jobs.service.js';
import { Webhook, WebhookDelivery, WebhookDeliverySchema, WebhookSchema } from './webhook.schema.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Subscriptions, their API, the listener that queues deliveries and the delivery rules (run by the worker). */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Webhook.name, schema: WebhookSchema },
      { name: WebhookDelivery.name, schema: WebhookDeliverySchema },
    ]),
    BullModule.registerQueue({ name: QueueName.Webhook }),
    EventsModule,
    FormsModule,
    NotificationsModule,
  ],
  controllers: [WebhooksController],
  providers: [
    WebhooksRepository,
    WebhooksService,
    WebhookJobsService,
    WebhookEventsListener,
    WebhookDeliveryService,
    WebhookHostResolver,
    WebhookHealthService,
    StoreLock,
  ],
  exports: [WebhookDeliveryService],
})
export class WebhooksModule {}
