import { Module } from '@nestjs/common';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { WebhooksModule } from './webhooks.module.js';

/** The `webhook` queue's processor. */
@Module({ imports: [WebhooksModule], providers: [WebhookDeliveryProcessor] })
export class WebhooksWorkerModule {}
