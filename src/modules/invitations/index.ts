/** The invitations module's public surface: the rest of src/ imports it from here, and only from here. */
export { InvitationsModule } from './invitations.module.js';
export { type InvitationRequest, InvitationsService } from './invitations.service.js';
export type { InvitationRecord } from './invitations.repository.js';
/** The request and answer shapes the admin API shares with the tenant's own invitation endpoints. */
export { CreateInvitationDto, InvitationDto } from './dto/invitation.dto.js';
