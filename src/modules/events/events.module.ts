import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { EventDispatcher } from './event-dispatcher.service.js';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false })],
  providers: [EventDispatcher],
  exports: [EventDispatcher],
})
export class EventsModule {}
