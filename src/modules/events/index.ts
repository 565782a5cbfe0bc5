/** The events module's public surface: the rest of src/ imports it from here, and only from here. */
export { EventsModule } from './events.module.js';
export { EventsWorkerModule } from './events-worker.module.js';
export { EventDispatcherService } from './event-dispatcher.service.js';
export { EventEntitiesService } from './event-entities.service.js';
export { AuditLogService } from './audit-log.service.js';
export { type EventEnvelope, EventType, PUBLIC_EVENT_TYPES } from './event.types.js';
export type { EventPayload, EventPayloads } from './event-payloads.js';
export { OnDomainEvent } from './on-domain-event.decorator.js';
