import { Injectable } from '@nestjs/common';
import type { EventType } from './event.types.js';

/** For each entity id that exists in the current tenant: when it last changed. */
export type EntityChanges = (entityIds: string[]) => Promise<Map<string, Date>>;

/**
 * For each entity id that still exists in the current tenant: when it was deleted (it waits for its
 * erasure), or null when it is not deleted. Erased entities are left out.
 */
export type EntityDeletions = (entityIds: string[]) => Promise<Map<string, Date | null>>;

type HappenedCheck = (entityId: string, at: Date) => Promise<boolean>;

/**
 * How the relay tells a real event from one whose write never happened (a crash between storing the
 * envelope and writing the entity): each module registers where its event types' entities live.
 */
@Injectable()
export class EventEntitiesService {
  private readonly checks = new Map<EventType, HappenedCheck>();

  /** A creation or change happened when the entity exists and changed at or after the event. */
  register(eventTypes: EventType[], lookup: EntityChanges): void {
    this.add(eventTypes, async (entityId, at) => {
      const changedAt = (await lookup([entityId])).get(entityId);
      return changedAt !== undefined && changedAt.getTime() >= at.getTime();
    });
  }

  /**
   * A deletion happened when the entity was deleted at or after the event, or is erased already (only
   * a deletion leads to an erasure); an entity that exists and is not deleted means it never happened.
   */
  registerDeletion(eventTypes: EventType[], lookup: EntityDeletions): void {
    this.add(eventTypes, async (entityId, at) => {
      const deletions = await lookup([entityId]);
      if (!deletions.has(entityId)) return true;
      const deletedAt = deletions.get(entityId);
      return deletedAt != null && deletedAt.getTime() >= at.getTime();
    });
  }

  async happened(eventType: EventType, entityId: string, at: Date): Promise<boolean> {
    const check = this.checks.get(eventType);
    if (!check) throw new Error(`No entity lookup registered for ${eventType}`);
    return check(entityId, at);
  }

  private add(eventTypes: EventType[], check: HappenedCheck): void {
    for (const type of eventTypes) this.checks.set(type, check);
  }
}
