import { Module } from '@nestjs/common';
import { EventRelay } from './event-relay.service.js';

/** The relay that delivers pending envelopes; runs in the worker only. */
@Module({ providers: [EventRelay], exports: [EventRelay] })
export class EventsWorkerModule {}
