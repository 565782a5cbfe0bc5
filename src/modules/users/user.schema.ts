import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Types } from 'mongoose';
import { ROLES, type Role } from '../../infrastructure/auth/roles.js';

@Schema({ _id: false })
export class PasswordReset {
  @Prop({ required: true }) token_hash!: string;
  @Prop({ required: true }) expires_at!: Date;
}

@Schema({ collection: 'users', timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false })
export class User {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  /** Stored trimmed and lower-cased, so uniqueness ignores case. */
  @Prop({ required: true }) email!: string;
  @Prop({ required: true, trim: true }) name!: string;
  @Prop({ required: true }) password_hash!: string;
  @Prop({ type: String, required: true, enum: ROLES }) role!: Role;
  @Prop({ type: SchemaFactory.createForClass(PasswordReset) }) password_reset?: PasswordReset;
  /** Moves on whenever the user's sessions are revoked; a token carrying another version is refused. */
  @Prop({ default: 0 }) token_version!: number;
  @Prop() password_reset_requested_at?: Date;
  created_at!: Date;
  updated_at!: Date;
}

export const UserSchema = SchemaFactory.createForClass(User);
UserSchema.index({ tenant_id: 1, email: 1 }, { unique: true });
