import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { lastChanges } from '../../infrastructure/database/last-changes.js';
import { EventDispatcher } from '../events/event-dispatcher.service.js';
import { EventEntities } from '../events/event-entities.js';
import { EventType } from '../events/event-types.js';
import { FormsService } from '../forms/forms.service.js';
import { UsersService } from '../users/users.service.js';
import { Invitation, type InvitationRole } from './invitation.schema.js';

export type InvitationRecord = Invitation;

/** Shares a form by email; the email goes out from the worker, durably, like any event's work. */
@Injectable()
export class InvitationsService implements OnModuleInit {
  constructor(
    @InjectModel(Invitation.name) private readonly invitations: Model<Invitation>,
    private readonly forms: FormsService,
    private readonly users: UsersService,
    private readonly events: EventDispatcher,
    private readonly entities: EventEntities,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.InvitationCreated], (ids) => lastChanges(this.invitations, ids));
  }

  async invite(formId: Types.ObjectId, email: string, role: InvitationRole): Promise<InvitationRecord> {
    const form = await this.forms.get(formId);
    const inviter = await this.users.current();
    const id = new Types.ObjectId();
    const invitation = {
      _id: id,
      form_id: formId,
      email: email.trim().toLowerCase(),
      role,
      invited_by: inviter._id.toHexString(),
    };
    const payload = {
      invitation_id: id.toHexString(),
      form_id: formId.toHexString(),
      form_title: form.title,
      email: invitation.email,
      role,
      inviter: inviter.name,
    };
    return this.events.emitWith({
      type: EventType.InvitationCreated,
      entityId: payload.invitation_id,
      payload,
      write: async () => (await this.invitations.create(invitation)).toObject(),
    });
  }
}
