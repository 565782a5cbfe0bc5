import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { lastChanges } from '../../infrastructure/database/last-changes.js';
import { Invitation } from './invitation.schema.js';

export type InvitationRecord = Invitation;

@Injectable()
export class InvitationsRepository {
  constructor(@InjectModel(Invitation.name) private readonly invitations: Model<Invitation>) {}

  async create(
    invitation: Omit<InvitationRecord, 'tenant_id' | 'created_at' | 'updated_at'>,
  ): Promise<InvitationRecord> {
    return (await this.invitations.create(invitation)).toObject();
  }

  /** When each of these invitations last changed (other tenants' and missing ones are left out). */
  changedAt(ids: string[]): Promise<Map<string, Date>> {
    return lastChanges(this.invitations, ids);
  }
}
