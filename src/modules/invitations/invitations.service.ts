import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import type { Role } from '../../infrastructure/auth/roles.js';
import { SingleUseToken } from '../../infrastructure/auth/single-use-token.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { AttemptCounter } from '../../infrastructure/rate-limit/attempt-counter.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService, EventEntitiesService, type EventPayload, EventType } from '../events/index.js';
import { FormsService } from '../forms/index.js';
import { MembersService, normalizeEmail, type SignedIn, type UserRecord, UsersService } from '../users/index.js';
import { statusOf } from './invitation-status.js';
import { type InvitationRecord, InvitationsRepository } from './invitations.repository.js';
import type { InvitationEmail } from './invitations.types.js';

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface InvitationRequest {
  email: string;
  role: Role;
  /** How the email greets the invitee, when the inviter said. */
  name?: string;
  /** A form the invitee is asked to work on: the email names it. */
  formId?: Types.ObjectId;
}

export interface Acceptance {
  token: string;
  name: string;
  password: string;
}

/**
 * Joining a tenant by invitation. Creating one stores it and emits `invitation.created`; the worker
 * mints its token when it sends the email (`issueEmail`), so the token exists only in that email.
 * Accepting checks the token, makes the member with the invited role, and uses the token up.
 */
@Injectable()
export class InvitationsService implements OnModuleInit {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly forms: FormsService,
    private readonly users: UsersService,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
    private readonly config: AppConfigService,
    private readonly members: MembersService,
    private readonly attempts: AttemptCounter,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.InvitationCreated], (ids) => this.invitations.changedAt(ids));
    // An invitation stays valid only while the member who sent it is an owner.
    this.members.onOwnershipEnded((userId) => this.invitations.revokeSentBy(userId));
  }

  /**
   * Invites by email, as the signed-in member or, outside a request, as the operator. A member's
   * invitation counts towards the tenant's hourly limit (`429`), and is made while they are an owner,
   * under the membership lock: demoting or removing them revokes what they sent, and cannot happen
   * between their check and their invitation.
   */
  async invite(request: InvitationRequest): Promise<InvitationRecord> {
    const { email, formTitle } = await this.admissible(request);
    if (!TenantContext.actor()) return this.create(request, email, formTitle, null);
    await this.attempts.count(RateLimitName.Invitations, TenantContext.tenantId());
    // An API key invites as the tenant (no inviting member), as an operator does.
    const byKey = TenantContext.actor()?.api_key_id !== undefined;
    return this.members.whileOwner(async () =>
      this.create(request, email, formTitle, byKey ? null : await this.users.current()),
    );
  }

  private async create(
    request: InvitationRequest,
    email: string,
    formTitle: string | null,
    inviter: UserRecord | null,
  ): Promise<InvitationRecord> {
    const id = new Types.ObjectId();
    const payload: EventPayload<'invitation.created'> = {
      invitation_id: id.toHexString(),
      email,
      name: request.name ?? null,
      role: request.role,
      form_id: request.formId?.toHexString() ?? null,
      form_title: formTitle,
      tenant_name: TenantContext.tenant().name,
      inviter: inviter?.name ?? null,
    };
    await this.invitations.revokePendingFor(email);
    return this.events.emitWith({
      type: EventType.InvitationCreated,
      entityId: payload.invitation_id,
      payload,
      write: () => this.invitations.create(this.newInvitation(id, email, request, inviter?._id.toHexString() ?? null)),
    });
  }

  /** For operators without email (the CLI): no email is sent; the accept link is the answer. */
  async inviteWithLink(request: InvitationRequest): Promise<{ invitation: InvitationRecord; link: string }> {
    const { email } = await this.admissible(request);
    const id = new Types.ObjectId();
    const { token, hash } = SingleUseToken.mint(id);
    await this.invitations.revokePendingFor(email);
    const invitation = await this.invitations.create({
      ...this.newInvitation(id, email, request, null),
      token_hash: hash,
    });
    this.logger.log({ msg: 'invitation created for an operator', invitation_id: id.toHexString(), role: request.role });
    return { invitation, link: this.acceptLink(token) };
  }

  list(): Promise<InvitationRecord[]> {
    return this.invitations.list();
  }

  /** The token stops working. Revoking twice is fine; an accepted invitation cannot be revoked. */
  async revoke(id: Types.ObjectId): Promise<void> {
    const invitation = await this.invitations.findById(id);
    if (!invitation) throw ApiError.notFound('Invitation');
    if (invitation.status === 'accepted') throw ApiError.conflict('The invitation was accepted already');
    await this.invitations.revoke(id);
  }

  async accept(acceptance: Acceptance): Promise<SignedIn> {
    const invitation = await this.pendingInvitationOf(acceptance.token);
    if (await this.users.isMember(invitation.email)) throw ApiError.conflict('This email is a member already');
    const tokenHash = SingleUseToken.hash(acceptance.token);
    if (!(await this.invitations.consume(invitation._id, tokenHash))) throw invalidInvitationToken();
    try {
      return await this.users.join({
        email: invitation.email,
        name: acceptance.name,
        password: acceptance.password,
        role: invitation.role,
      });
    } catch (error) {
      // The member was not made: the invitation stays usable, unless the email joined meanwhile.
      if (!ApiError.is(error, ErrorCode.Conflict)) await this.invitations.release(invitation._id, tokenHash);
      throw error;
    }
  }

  /** Worker side: mints the token the email carries; null when the invitation is no longer pending. */
  async issueEmail(invitationId: string): Promise<InvitationEmail | null> {
    const id = new Types.ObjectId(invitationId);
    const invitation = await this.invitations.findById(id);
    if (!invitation || statusOf(invitation) !== 'pending') return null;
    const { token, hash } = SingleUseToken.mint(id);
    if (!(await this.invitations.setToken(id, hash))) return null;
    return { email: invitation.email, link: this.acceptLink(token), expires_at: invitation.expires_at };
  }

  private async admissible(request: InvitationRequest): Promise<{ email: string; formTitle: string | null }> {
    const email = normalizeEmail(request.email);
    const formTitle = request.formId ? (await this.forms.get(request.formId)).title : null;
    if (await this.users.isMember(email)) throw ApiError.conflict('This email is a member already');
    return { email, formTitle };
  }

  private async pendingInvitationOf(token: string) {
    const id = SingleUseToken.documentId(token);
    const invitation = id ? await this.invitations.findWithToken(id) : null;
    if (!invitation || statusOf(invitation) !== 'pending' || !SingleUseToken.matches(token, invitation.token_hash)) {
      throw invalidInvitationToken();
    }
    return invitation;
  }

  private newInvitation(id: Types.ObjectId, email: string, request: InvitationRequest, invitedBy: string | null) {
    return {
      _id: id,
      email,
      role: request.role,
      form_id: request.formId ?? null,
      invited_by: invitedBy,
      expires_at: new Date(Date.now() + INVITATION_TTL_MS),
    };
  }

  private acceptLink(token: string): string {
    return this.config.appLink('/accept-invitation', { tenant: TenantContext.tenantId(), token });
  }
}

function invalidInvitationToken(): ApiError {
  return ApiError.invalidToken('The invitation is invalid, used, revoked or expired');
}
