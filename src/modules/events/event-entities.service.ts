import { Injectable } from '@nestjs/common';
import type { EventType } from './event.types.js';

/** For each entity id that exists in the current tenant: when it last changed. */
export type EntityChanges = (entityIds: string[]) => Promise<Map<string, Date>>;

/**
 * How the relay tells a real event from one whose write never happened (a crash between storing the
 * envelope and writing the entity): each module registers where its event types' entities live.
 */
@Injectable()
export class EventEntitiesService {
  private readonly lookups = new Map<EventType, EntityChanges>();

  register(eventTypes: EventType[], lookup: EntityChanges): void {
    for (const type of eventTypes) this.lookups.set(type, lookup);
  }

  /** True when the entity exists and changed at or after the event: its write did happen. */
  async happened(eventType: EventType, entityId: string, at: Date): Promise<boolean> {
    const lookup = this.lookups.get(eventType);
    if (!lookup) throw new Error(`No entity lookup registered for ${eventType}`);
    const changedAt = (await lookup([entityId])).get(entityId);
    return changedAt !== undefined && changedAt.getTime() >= at.getTime();
  }
}
