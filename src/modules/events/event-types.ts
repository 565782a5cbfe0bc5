/** Every domain event; the one list producers and listeners share. */
export const EventType = {
  FormCreated: 'form.created',
  FormUpdated: 'form.updated',
  FormPublished: 'form.published',
  FormArchived: 'form.archived',
  ResponseSubmitted: 'response.submitted',
  ResponseUpdated: 'response.updated',
  UserRegistered: 'user.registered',
  /** Internal: it exists so the invitation email is as durable as any event. */
  InvitationCreated: 'invitation.created',
} as const;

export type EventType = (typeof EventType)[keyof typeof EventType];

/** The contract's event types: what webhooks may subscribe to. */
export const PUBLIC_EVENT_TYPES: EventType[] = Object.values(EventType).filter(
  (type) => type !== EventType.InvitationCreated,
);

/** The contract's envelope: what listeners, the audit log and webhook receivers all get. */
export interface EventEnvelope<Payload extends object = Record<string, unknown>> {
  event_id: string;
  event_type: EventType;
  timestamp: string;
  tenant_id: string;
  user_id: string | null;
  entity_id: string;
  payload: Payload;
  metadata: { request_id?: string; source: 'api' | 'worker' };
}
