import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Types } from 'mongoose';
import { ROLES, type Role } from '../../infrastructure/auth/roles.js';

export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * `invitations`: someone asked to join the tenant with a role, optionally to work on one form. The
 * token is minted when the email is sent and stored only as its hash; `expired` is never stored (a
 * pending invitation past `expires_at` reads as expired).
 */
@Schema({
  collection: 'invitations',
  timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  versionKey: false,
})
export class Invitation {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) email!: string;
  @Prop({ type: String, required: true, enum: ROLES }) role!: Role;
  @Prop({ type: MongooseSchema.Types.ObjectId, default: null }) form_id!: Types.ObjectId | null;
  @Prop({ type: String, required: true, enum: ['pending', 'accepted', 'revoked'], default: 'pending' })
  status!: Exclude<InvitationStatus, 'expired'>;
  /** The inviting member, or null when an operator invited (admin API or CLI). */
  @Prop({ type: String, default: null }) invited_by!: string | null;
  @Prop({ required: true }) expires_at!: Date;
  @Prop() token_hash?: string;
  @Prop() accepted_at?: Date;
  created_at!: Date;
  updated_at!: Date;
}

export const InvitationSchema = SchemaFactory.createForClass(Invitation);
InvitationSchema.index({ tenant_id: 1, created_at: -1 });
InvitationSchema.index({ tenant_id: 1, email: 1, status: 1 });
