import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditLogController } from './audit-log.controller.js';
import { AuditLogService } from './audit-log.service.js';
import { EventDispatcherService } from './event-dispatcher.service.js';
import { EventEntitiesService } from './event-entities.service.js';
import { EventMetrics } from './event-metrics.js';
import { EventRelayService } from './event-relay.service.js';
import { OutboxEntry, OutboxEntrySchema, StoredEvent, StoredEventSchema } from './event.schema.js';
import { EventsRepository } from './events.repository.js';

/**
 * Domain events: the dispatcher every feature emits through, the registry of where each event's
 * entity lives, and the audit log (stored and served to owners). The relay is provided here but runs only where
 * `EventsWorkerModule` starts it (the worker).
 */
@Module({
  imports: [
    EventEmitterModule.forRoot({ wildcard: false }),
    MongooseModule.forFeature([
      { name: StoredEvent.name, schema: StoredEventSchema },
      { name: OutboxEntry.name, schema: OutboxEntrySchema },
    ]),
  ],
  controllers: [AuditLogController],
  providers: [
    EventDispatcherService,
    EventEntitiesService,
    EventsRepository,
    AuditLogService,
    EventRelayService,
    EventMetrics,
  ],
  exports: [EventDispatcherService, EventEntitiesService, AuditLogService, EventRelayService],
})
export class EventsModule {}
