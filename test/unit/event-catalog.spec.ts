import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import type { Emission } from '../../src/modules/events/event-dispatcher.service.js';
import { type EventEnvelope, EventType } from '../../src/modules/events/event.types.js';
import { OnDomainEvent } from '../../src/modules/events/on-domain-event.decorator.js';

@Injectable()
class RemovalListener {
  readonly seen: string[] = [];

  @OnDomainEvent(EventType.FormDeleted, EventType.UserRemoved)
  async removed(event: EventEnvelope<'form.deleted' | 'user.removed'>): Promise<void> {
    this.seen.push(event.event_type);
    if (event.entity_id === 'failing') throw new Error('queue unavailable');
  }
}

/** What `emitWith` accepts; a call that does not compile is a payload the catalog refuses. */
const emission = <Type extends EventType>(emitted: Emission<Type, void>) => emitted;
const write = async () => undefined;

describe('the event catalog', () => {
  it('subscribes a listener to each of its types, and raises its errors to the dispatcher', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot()],
      providers: [RemovalListener],
    }).compile();
    await moduleRef.init();
    const emitter = moduleRef.get(EventEmitter2);

    await emitter.emitAsync(EventType.FormDeleted, { event_type: EventType.FormDeleted, entity_id: 'f' });
    await emitter.emitAsync(EventType.UserRemoved, { event_type: EventType.UserRemoved, entity_id: 'u' });
    await emitter.emitAsync(EventType.FormCreated, { event_type: EventType.FormCreated, entity_id: 'f' });
    await expect(
      emitter.emitAsync(EventType.UserRemoved, { event_type: EventType.UserRemoved, entity_id: 'failing' }),
    ).rejects.toThrow('queue unavailable');
    expect(moduleRef.get(RemovalListener).seen).toEqual(['form.deleted', 'user.removed', 'user.removed']);
    await moduleRef.close();
  });

  it('checks payloads and listeners against it when compiled (npm run typecheck)', () => {
    emission({ type: EventType.UserRemoved, entityId: 'u', payload: { user_id: 'u' }, write });
    // @ts-expect-error: user.removed carries the user's id as `user_id`
    emission({ type: EventType.UserRemoved, entityId: 'u', payload: { id: 'u' }, write });
    // @ts-expect-error: nothing beyond the catalog's fields (no answers in a form's event)
    emission({ type: EventType.FormDeleted, entityId: 'f', payload: { form_id: 'f', data: {} }, write });

    class MistypedListener {
      // @ts-expect-error: a listener of form.deleted takes form.deleted's envelope
      @OnDomainEvent(EventType.FormDeleted)
      async removed(_event: EventEnvelope<'user.removed'>): Promise<void> {}

      // @ts-expect-error: a listener answers a promise, so the dispatcher waits for it and sees its errors
      @OnDomainEvent(EventType.FormDeleted)
      removedSync(_event: EventEnvelope<'form.deleted'>): void {}
    }
    expect(MistypedListener).toBeDefined();
  });
});
