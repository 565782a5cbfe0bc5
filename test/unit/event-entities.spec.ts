import { describe, expect, it } from '@jest/globals';
import { EventEntitiesService } from '../../src/modules/events/event-entities.service.js';
import { EventType } from '../../src/modules/events/event.types.js';

const AT = new Date('2026-05-01T12:00:00Z');
const BEFORE = new Date('2026-05-01T11:59:59Z');
const AFTER = new Date('2026-05-01T12:00:01Z');

describe('EventEntitiesService: did the write an event announced happen?', () => {
  const entities = new EventEntitiesService();
  entities.register(
    [EventType.ResponseSubmitted],
    async (ids) => new Map(ids.filter((id) => id !== 'missing').map((id) => [id, id === 'stale' ? BEFORE : AFTER])),
  );
  entities.registerDeletion(
    [EventType.ResponseDeleted],
    async () =>
      new Map<string, Date | null>([
        ['deleted-after', AFTER],
        ['deleted-before', BEFORE],
        ['live', null],
      ]),
  );

  it('a change happened when the entity exists and changed at or after the event', async () => {
    expect(await entities.happened(EventType.ResponseSubmitted, 'fresh', AT)).toBe(true);
    expect(await entities.happened(EventType.ResponseSubmitted, 'stale', AT)).toBe(false);
    expect(await entities.happened(EventType.ResponseSubmitted, 'missing', AT)).toBe(false);
  });

  it('a deletion happened when the entity was deleted at or after the event, or is erased already', async () => {
    expect(await entities.happened(EventType.ResponseDeleted, 'deleted-after', AT)).toBe(true);
    expect(await entities.happened(EventType.ResponseDeleted, 'erased', AT)).toBe(true);
    expect(await entities.happened(EventType.ResponseDeleted, 'deleted-before', AT)).toBe(false);
    expect(await entities.happened(EventType.ResponseDeleted, 'live', AT)).toBe(false);
  });

  it('refuses an event type nobody registered', async () => {
    await expect(entities.happened(EventType.FormDeleted, 'x', AT)).rejects.toThrow('No entity lookup registered');
  });
});
