import { Module } from '@nestjs/common';
import { DomainModule } from '../../domain.module.js';
import { MailModule } from '../../infrastructure/mail/mail.module.js';
import { DiagnosticsProcessor } from './diagnostics/diagnostics.processor.js';
import { ExportProcessor } from '../exports/export.processor.js';
import { WebhookDeliveryProcessor } from '../webhooks/webhook-delivery.processor.js';
import { EmailProcessor } from './email/email.processor.js';
import { TasksModule } from './tasks.module.js';

/** The queue processors; loaded only by the worker entry point. */
@Module({
  imports: [TasksModule, DomainModule, MailModule],
  providers: [DiagnosticsProcessor, EmailProcessor, WebhookDeliveryProcessor, ExportProcessor],
})
export class TasksWorkerModule {}
