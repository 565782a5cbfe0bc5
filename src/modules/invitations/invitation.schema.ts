import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Types } from 'mongoose';

export const INVITATION_ROLES = ['viewer', 'editor'] as const;
export type InvitationRole = (typeof INVITATION_ROLES)[number];

/** `invitations`: a form shared with someone by email. */
@Schema({
  collection: 'invitations',
  timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  versionKey: false,
})
export class Invitation {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true }) form_id!: Types.ObjectId;
  @Prop({ required: true }) email!: string;
  @Prop({ type: String, required: true, enum: INVITATION_ROLES }) role!: InvitationRole;
  @Prop({ required: true }) invited_by!: string;
  created_at!: Date;
  updated_at!: Date;
}

export const InvitationSchema = SchemaFactory.createForClass(Invitation);
InvitationSchema.index({ tenant_id: 1, form_id: 1, created_at: -1 });
