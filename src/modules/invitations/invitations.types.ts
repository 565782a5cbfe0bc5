/** The payload of `invitation.created`: what the email says, never its token. */
export interface InvitationCreatedPayload {
  invitation_id: string;
  email: string;
  name: string | null;
  role: string;
  form_id: string | null;
  form_title: string | null;
  tenant_name: string;
  inviter: string | null;
}

/** What the worker needs to send an invitation: the link is the only place its token ever is. */
export interface InvitationEmail {
  email: string;
  link: string;
  expires_at: Date;
}
