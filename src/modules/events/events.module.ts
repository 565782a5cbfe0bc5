import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { MongooseModule } from '@nestjs/mongoose';
import { EventDispatcher } from './event-dispatcher.service.js';
import { EventEntities } from './event-entities.js';
import { EventMetrics } from './event-metrics.js';
import { OutboxEntry, OutboxEntrySchema, StoredEvent, StoredEventSchema } from './event.schema.js';
import { EventsRepository } from './events.repository.js';

@Global()
@Module({
  imports: [
    EventEmitterModule.forRoot({ wildcard: false }),
    MongooseModule.forFeature([
      { name: StoredEvent.name, schema: StoredEventSchema },
      { name: OutboxEntry.name, schema: OutboxEntrySchema },
    ]),
  ],
  providers: [EventDispatcher, EventsRepository, EventEntities, EventMetrics],
  exports: [EventDispatcher, EventsRepository, EventEntities],
})
export class EventsModule {}
