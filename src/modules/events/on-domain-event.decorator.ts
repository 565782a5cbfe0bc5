import { OnEvent } from '@nestjs/event-emitter';
import type { EventEnvelope, EventType } from './event.types.js';

/**
 * Every domain-event listener queues work: its errors must reach the dispatcher, which then leaves
 * the event pending for the relay to retry (by default the emitter would swallow them).
 */
const RAISE_LISTENER_ERRORS = { suppressErrors: false } as const;

/**
 * Makes a method the listener of these event types, with its errors raised to the dispatcher. The
 * method takes the envelope of exactly these types, its payload typed by the event catalog
 * (`EventPayloads`): `@OnDomainEvent(EventType.FormDeleted) formDeleted(event: EventEnvelope<'form.deleted'>)`.
 * One that expects another type's envelope, or returns no promise, does not compile.
 */
export function OnDomainEvent<Type extends EventType>(...types: [Type, ...Type[]]) {
  return (
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<(event: EventEnvelope<Type>) => Promise<void>>,
  ): void => {
    for (const type of types) OnEvent(type, RAISE_LISTENER_ERRORS)(target, key, descriptor);
  };
}
