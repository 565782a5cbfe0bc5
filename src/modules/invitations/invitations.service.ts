import { Injectable, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { EventDispatcherService } from '../events/event-dispatcher.service.js';
import { EventEntitiesService } from '../events/event-entities.service.js';
import { EventType } from '../events/event.types.js';
import { FormsService } from '../forms/forms.service.js';
import { UsersService } from '../users/users.service.js';
import type { InvitationRole } from './invitation.schema.js';
import { type InvitationRecord, InvitationsRepository } from './invitations.repository.js';

/** Shares a form by email; the email goes out from the worker, durably, like any event's work. */
@Injectable()
export class InvitationsService implements OnModuleInit {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly forms: FormsService,
    private readonly users: UsersService,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.InvitationCreated], (ids) => this.invitations.changedAt(ids));
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
      write: () => this.invitations.create(invitation),
    });
  }
}
