import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Types } from 'mongoose';
import { ROLES, type Role } from '../../infrastructure/auth/roles.js';

/**
 * `api_keys`: a tenant's keys for machine clients. The key itself is shown once, when it is made;
 * only its SHA-256 is kept (a high-entropy secret needs no slow hash), with its first characters
 * (`prefix`) to recognise it by. Revoking deletes the document: nothing of the key is left to use.
 */
@Schema({ collection: 'api_keys', timestamps: { createdAt: 'created_at', updatedAt: false }, versionKey: false })
export class ApiKey {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ type: String, required: true, enum: ROLES }) role!: Role;
  @Prop({ required: true }) prefix!: string;
  @Prop({ required: true }) key_hash!: string;
  @Prop({ type: Date, default: null }) expires_at!: Date | null;
  /** Written at most once a minute (see `ApiKeyVerifier`), never on every request. */
  @Prop({ type: Date, default: null }) last_used_at!: Date | null;
  /** The owner who made it. */
  @Prop({ required: true }) created_by!: string;
  created_at!: Date;
}

export const ApiKeySchema = SchemaFactory.createForClass(ApiKey);
// A key is looked up by its hash before its tenant is known (system scope): unique across tenants, and
// named `system_` as the few indexes that serve deliberate cross-tenant reads are.
ApiKeySchema.index({ key_hash: 1 }, { unique: true, name: 'system_api_key_hash' });
ApiKeySchema.index({ tenant_id: 1, created_at: -1 });
