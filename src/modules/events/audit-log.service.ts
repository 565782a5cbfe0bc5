import { Injectable } from '@nestjs/common';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import type { EventEnvelope } from './event.types.js';
import { type AuditLogQuery, EventsRepository } from './events.repository.js';

/** The tenant's stored events (its audit log), read and erased by other features. */
@Injectable()
export class AuditLogService {
  constructor(private readonly events: EventsRepository) {}

  /** The envelope of one event of the current tenant, as it was delivered; null when there is none. */
  envelope(eventId: string): Promise<EventEnvelope | null> {
    return this.events.envelope(eventId);
  }

  page(query: AuditLogQuery): Promise<Page<EventEnvelope>> {
    return this.events.page(query);
  }

  /** Erases these entities' respondent data from their events; answers how many envelopes were redacted. */
  redactEntities(entityIds: string[]): Promise<number> {
    return this.events.redactEntities(entityIds);
  }

  /** Erases a removed member's name and email from the audit log's payloads; answers how many envelopes changed. */
  redactMember(userId: string): Promise<number> {
    return this.events.redactMember(userId);
  }

  /** Erases a batch of the tenant's audit entries older than `cutoff`; answers how many. */
  eraseOlderThan(cutoff: Date, limit: number): Promise<number> {
    return this.events.eraseOlderThan(cutoff, limit);
  }
}
