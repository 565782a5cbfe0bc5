import type { Invitation, InvitationStatus } from './invitation.schema.js';

/** What clients see: a pending invitation past its end is expired. */
export function statusOf(invitation: Pick<Invitation, 'status' | 'expires_at'>): InvitationStatus {
  return invitation.status === 'pending' && invitation.expires_at <= new Date() ? 'expired' : invitation.status;
}
