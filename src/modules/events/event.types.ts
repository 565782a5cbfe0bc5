import type { EventPayloads } from './event-payloads.js';

/** Every domain event; the one list producers and listeners share. */
export const EventType = {
  FormCreated: 'form.created',
  FormUpdated: 'form.updated',
  FormPublished: 'form.published',
  FormArchived: 'form.archived',
  FormDeleted: 'form.deleted',
  ResponseSubmitted: 'response.submitted',
  ResponseUpdated: 'response.updated',
  ResponseDeleted: 'response.deleted',
  UserRegistered: 'user.registered',
  /** Internal: it exists so the invitation email is as durable as any event. */
  InvitationCreated: 'invitation.created',
  /** Internal: the reset email is as durable as any event; its token is minted when the email is sent. */
  PasswordResetRequested: 'user.password_reset_requested',
  /**
   * Internal: a member was removed; the erasure of their name and email from the audit log's payloads
   * follows in the background. Its payload is the user's id only.
   */
  UserRemoved: 'user.removed',
  /**
   * Internal: the operator deleted a tenant (it is `deleting` now); the erasure of everything of it
   * follows in the background. Stored in that tenant's audit log, which its erasure removes too.
   */
  TenantDeleted: 'tenant.deleted',
  /**
   * Delivery only: `POST /webhooks/:webhook_id/test` sends it to that one webhook. It never goes
   * through the dispatcher, the audit log or a subscription.
   */
  WebhookTest: 'webhook.test',
} as const;

export type EventType = (typeof EventType)[keyof typeof EventType];

const INTERNAL_EVENT_TYPES: EventType[] = [
  EventType.InvitationCreated,
  EventType.PasswordResetRequested,
  EventType.UserRemoved,
  EventType.TenantDeleted,
];

/** Sent to a webhook, yet neither stored nor subscribed to. */
const DELIVERY_ONLY_EVENT_TYPES: EventType[] = [EventType.WebhookTest];

/** The contract's event types: what webhooks may subscribe to. */
export const PUBLIC_EVENT_TYPES: EventType[] = Object.values(EventType).filter(
  (type) => !INTERNAL_EVENT_TYPES.includes(type) && !DELIVERY_ONLY_EVENT_TYPES.includes(type),
);

/** Compiles only while `Catalog` names every event type, and nothing else. */
type EveryEventType<Catalog extends Record<EventType, object> & Record<Exclude<keyof Catalog, EventType>, never>> =
  Catalog;

/** The event catalog (`event-payloads.ts`), checked against `EventType`. */
type Payloads = EveryEventType<EventPayloads>;

/**
 * The contract's envelope: what listeners, the audit log and webhook receivers all get. Its payload
 * is the one the event catalog (`EventPayloads`) gives its type: `EventEnvelope<'form.deleted'>`;
 * `EventEnvelope` alone is any event's.
 */
export interface EventEnvelope<Type extends EventType = EventType> {
  event_id: string;
  event_type: Type;
  timestamp: string;
  tenant_id: string;
  user_id: string | null;
  entity_id: string;
  payload: Payloads[Type];
  /** `request_id` is the server's own id of the request; `client_request_id` the caller's `X-Request-ID`. */
  /** `api_key_id`: the API key that made the change (then `user_id` is null). */
  metadata: { request_id?: string; client_request_id?: string; source: 'api' | 'worker'; api_key_id?: string };
  /** Present (true) once the personal data its payload carried (answers, a member's name and email) was erased; the envelope stays. */
  redacted?: true;
}
