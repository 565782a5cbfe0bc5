import { HttpStatus, Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { hasRole, type Role } from '../../infrastructure/auth/roles.js';
import { isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService, EventType } from '../events/index.js';
import { SessionsService } from './sessions.service.js';
import { type UserRecord, UsersRepository } from './users.repository.js';

/** Told, inside the membership lock, that a member is no longer an owner (demoted or removed). */
export type OwnershipEndedListener = (userId: string) => Promise<void>;

/**
 * Members' roles and removal. "Is there another owner?" reads one document and writes another, so two
 * owners demoting each other at once could both pass it: every such change in a tenant runs under one
 * lock shared by all replicas, and re-reads the acting owner inside it. What an owner may do only
 * while an owner (invite) runs under the same lock (`whileOwner`), and what ends with ownership (their
 * pending invitations) is ended inside it by the listeners of `onOwnershipEnded`: the feature that
 * owns that data registers one, so this module needs to know none of them.
 */
@Injectable()
export class MembersService {
  private readonly ownershipEndedListeners: OwnershipEndedListener[] = [];

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly lock: StoreLock,
    private readonly events: EventDispatcherService,
  ) {}

  /** Registers what must end when a member stops being an owner (called in `onModuleInit`). */
  onOwnershipEnded(listener: OwnershipEndedListener): void {
    this.ownershipEndedListeners.push(listener);
  }

  /**
   * Runs `work` as the signed-in owner, re-read under the membership lock: a demotion or removal
   * cannot slip in between the check and the work (and then miss what the work created).
   */
  whileOwner<T>(work: () => Promise<T>): Promise<T> {
    return this.underMembershipLock(async () => {
      await this.assertActingOwner();
      return work();
    });
  }

  /** Owner only. The member's tokens stop working: they carry the old role. */
  async changeRole(id: Types.ObjectId, role: Role): Promise<UserRecord> {
    const userId = id.toHexString();
    return this.underMembershipLock(async () => {
      await this.assertActingOwner();
      const member = await this.find(id);
      if (member.role === role) return member;
      if (member.role === 'owner') {
        await this.assertAnotherOwner();
        await this.ownershipEnded(userId);
      }
      const updated = await this.users.setRole(id, role);
      if (!updated) throw ApiError.notFound('User');
      await this.sessions.revoked(userId);
      return updated;
    });
  }

  /**
   * An owner removes anyone; any member may leave. The last owner can do neither. The removal emits
   * `user.removed` (internal), which starts the erasure of their name and email from the audit log.
   */
  async remove(id: Types.ObjectId): Promise<void> {
    const userId = id.toHexString();
    const actor = TenantContext.actor();
    const leaving = actor?.user_id === userId;
    if (!leaving && !hasRole(actor?.role ?? '', 'owner'))
      throw ApiError.forbidden('Only an owner removes other members');
    await this.underMembershipLock(async () => {
      if (!leaving) await this.assertActingOwner();
      const member = await this.find(id);
      if (member.role === 'owner') {
        await this.assertAnotherOwner();
        await this.ownershipEnded(userId);
      }
      const removed = await this.events.emitWith({
        type: EventType.UserRemoved,
        entityId: userId,
        payload: { user_id: userId },
        write: () => this.users.remove(id),
        happened: (done) => done,
      });
      if (!removed) throw ApiError.notFound('User');
      await this.sessions.revoked(userId);
    });
  }

  /**
   * Runs before the change itself: a change that fails after it is retried whole (listeners are
   * idempotent), and meanwhile what ended stays ended, the safe side. Run after it, a failure would
   * leave a retry finding the role changed already and never calling them.
   */
  private async ownershipEnded(userId: string): Promise<void> {
    for (const listener of this.ownershipEndedListeners) await listener(userId);
  }

  private async underMembershipLock<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.lock.withLock(`members:${TenantContext.tenantId()}`, work);
    } catch (error) {
      if (error instanceof LockBusyError) throw ApiError.unavailable('Membership is being changed; retry shortly');
      throw error;
    }
  }

  /** The acting owner may have been demoted a moment ago, by another owner, on another replica. */
  private async assertActingOwner(): Promise<void> {
    // An API key's role never changes, and the tenant guard checked the key is still current.
    const caller = TenantContext.actor();
    if (caller?.api_key_id && caller.role === 'owner') return;
    const actorId = caller?.user_id ?? '';
    const actor = isObjectIdHex(actorId) ? await this.users.findById(new Types.ObjectId(actorId)) : null;
    if (!actor || actor.role !== 'owner') throw ApiError.forbidden('This action requires the owner role');
  }

  private async assertAnotherOwner(): Promise<void> {
    if ((await this.users.countWithRole('owner')) <= 1) {
      throw new ApiError(HttpStatus.CONFLICT, ErrorCode.LastOwner, 'A tenant keeps at least one owner');
    }
  }

  private async find(id: Types.ObjectId): Promise<UserRecord> {
    const member = await this.users.findById(id);
    if (!member) throw ApiError.notFound('User');
    return member;
  }
}
