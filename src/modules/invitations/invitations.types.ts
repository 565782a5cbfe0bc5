/** What the worker needs to send an invitation: the link is the only place its token ever is. */
export interface InvitationEmail {
  email: string;
  link: string;
  expires_at: Date;
}
