import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from './event.types.js';
import { EventsRepository } from './events.repository.js';

/** The tenant's stored events (its audit log), read by other features. */
@Injectable()
export class EventsService {
  constructor(private readonly events: EventsRepository) {}

  /** The envelope of one event of the current tenant, as it was delivered; null when there is none. */
  envelope(eventId: string): Promise<EventEnvelope | null> {
    return this.events.envelope(eventId);
  }
}
