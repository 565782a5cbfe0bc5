import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/index.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { WebhooksModule } from './webhooks.module.js';

/** The `webhook` queue's processor. */
@Module({ imports: [WebhooksModule, TenantsModule], providers: [WebhookDeliveryProcessor] })
export class WebhooksWorkerModule {}
