import { Global, Module } from '@nestjs/common';
import { MissedAnnouncements } from './missed-announcements.js';

/** What every `InvalidationChannel` of the process shares: the announcements Redis could not carry. */
@Global()
@Module({ providers: [MissedAnnouncements], exports: [MissedAnnouncements] })
export class InvalidationModule {}
