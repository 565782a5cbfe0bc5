import type { Role } from '../../infrastructure/auth/roles.js';

/**
 * The event catalog: each event type's payload, the one definition its producers and listeners
 * share. `EventDispatcherService.emitWith` checks a payload against its type's entry; a listener
 * takes `EventEnvelope<'form.deleted'>` (see `OnDomainEvent`) and reads its payload typed from here.
 * A payload carries ids and what a receiver needs to act, never a token. An envelope read back from
 * the audit log may be `redacted`: the personal data an erasure removed from it (a response's
 * `data`, a removed member's `email` and `name`, their name as an `inviter`) is then gone.
 * `event.types.ts` checks that it names every `EventType`, and nothing else.
 */
export type EventPayloads = {
  'form.created': { form_id: string; title: string; slug: string; status: 'draft' };
  /** The keys of the change the request sent. */
  'form.updated': { form_id: string; changed: string[] };
  /** The version this publication made. */
  'form.published': { form_id: string; version: number };
  'form.archived': { form_id: string; version: number };
  'form.deleted': { form_id: string };
  'response.submitted': { response_id: string; form_id: string; form_version: number; data: Record<string, unknown> };
  'response.updated': { response_id: string; form_id: string; form_version: number; data: Record<string, unknown> };
  'response.deleted': { response_id: string; form_id: string; form_version: number };
  'user.registered': { user_id: string; email: string; name: string; role: Role };
  /** What the invitation email says, never its token (minted when the email is sent). */
  'invitation.created': {
    invitation_id: string;
    email: string;
    name: string | null;
    role: Role;
    form_id: string | null;
    form_title: string | null;
    tenant_name: string;
    inviter: string | null;
  };
  'user.password_reset_requested': { user_id: string };
  'user.removed': { user_id: string };
  'tenant.deleted': { tenant_id: string };
  /** The test ping of one webhook (delivered to it alone, never stored). */
  'webhook.test': { webhook_id: string };
};

/** The payload of one event type: `EventPayload<'invitation.created'>`. */
export type EventPayload<Type extends keyof EventPayloads> = EventPayloads[Type];
