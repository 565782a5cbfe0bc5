import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { lastChanges } from '../../infrastructure/database/last-changes.js';
import { Invitation } from './invitation.schema.js';

export type InvitationRecord = Omit<Invitation, 'token_hash'>;

const WITHOUT_TOKEN = { token_hash: 0 };

@Injectable()
export class InvitationsRepository {
  constructor(@InjectModel(Invitation.name) private readonly invitations: Model<Invitation>) {}

  async create(
    invitation: Pick<Invitation, '_id' | 'email' | 'role' | 'form_id' | 'invited_by' | 'expires_at' | 'token_hash'>,
  ): Promise<InvitationRecord> {
    const created: Invitation = (await this.invitations.create(invitation)).toObject();
    delete created.token_hash;
    return created;
  }

  /** When each of these invitations last changed (other tenants' and missing ones are left out). */
  changedAt(ids: string[]): Promise<Map<string, Date>> {
    return lastChanges(this.invitations, ids);
  }

  findById(id: Types.ObjectId): Promise<InvitationRecord | null> {
    return this.invitations.findOne({ _id: id }, WITHOUT_TOKEN).lean<InvitationRecord>();
  }

  /** With its token hash: only the accept flow compares against it. */
  findWithToken(id: Types.ObjectId): Promise<Invitation | null> {
    return this.invitations.findOne({ _id: id }).lean<Invitation>();
  }

  list(): Promise<InvitationRecord[]> {
    return this.invitations.find({}, WITHOUT_TOKEN).sort({ created_at: -1, _id: -1 }).lean<InvitationRecord[]>();
  }

  /** A newer invitation to the same address supersedes the pending ones. */
  async revokePendingFor(email: string): Promise<void> {
    await this.invitations.updateMany(
      { email, status: 'pending' },
      { $set: { status: 'revoked' }, $unset: { token_hash: 1 } },
    );
  }

  /** The pending invitations a member sent stop working (they are no longer an owner). */
  async revokeSentBy(userId: string): Promise<void> {
    await this.invitations.updateMany(
      { invited_by: userId, status: 'pending' },
      { $set: { status: 'revoked' }, $unset: { token_hash: 1 } },
    );
  }

  async revoke(id: Types.ObjectId): Promise<boolean> {
    const result = await this.invitations.updateOne(
      { _id: id, status: 'pending' },
      { $set: { status: 'revoked' }, $unset: { token_hash: 1 } },
    );
    return result.modifiedCount === 1;
  }

  /** Stores the hash of a newly minted token, if the invitation is still pending. */
  async setToken(id: Types.ObjectId, tokenHash: string): Promise<boolean> {
    const result = await this.invitations.updateOne(
      { _id: id, status: 'pending' },
      { $set: { token_hash: tokenHash } },
    );
    return result.matchedCount === 1;
  }

  /** Marks it accepted only if this very token is still the pending one: a token works once. */
  async consume(id: Types.ObjectId, tokenHash: string): Promise<boolean> {
    const result = await this.invitations.updateOne(
      { _id: id, status: 'pending', token_hash: tokenHash, expires_at: { $gt: new Date() } },
      { $set: { status: 'accepted', accepted_at: new Date() }, $unset: { token_hash: 1 } },
    );
    return result.modifiedCount === 1;
  }

  /** Undoes `consume` when the member could not be created, so the invitation can be used again. */
  async release(id: Types.ObjectId, tokenHash: string): Promise<void> {
    await this.invitations.updateOne(
      { _id: id, status: 'accepted' },
      { $set: { status: 'pending', token_hash: tokenHash }, $unset: { accepted_at: 1 } },
    );
  }
}
