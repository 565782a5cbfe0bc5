import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';
import type { TenantStatus } from '../../infrastructure/tenancy/tenant-context.js';

export const TENANT_ID_PATTERN = /^[a-z0-9-]{3,63}$/;
export const TENANT_STATUSES: TenantStatus[] = ['active', 'suspended', 'deleting'];
export const REGISTRATION_MODES = ['invite_only', 'open'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];
export const SIGNUP_ROLES = ['viewer', 'editor'] as const;
export type SignupRole = (typeof SIGNUP_ROLES)[number];

@Schema({ _id: false })
export class TenantFeatures {
  @Prop({ default: false }) workflows!: boolean;
  @Prop({ default: false }) ai_generation!: boolean;
  @Prop({ default: false }) webhooks!: boolean;
}

@Schema({ _id: false })
export class TenantSettingsDocument {
  @Prop({ default: 100, min: 0 }) max_forms!: number;
  @Prop({ default: 10_000, min: 0 }) max_responses_per_form!: number;
  @Prop({ type: SchemaFactory.createForClass(TenantFeatures), default: () => ({}) }) features!: TenantFeatures;
  @Prop({ default: 10, min: 0 }) max_webhooks!: number;
  @Prop({ type: String, enum: REGISTRATION_MODES, default: 'invite_only' }) registration!: RegistrationMode;
  @Prop({ type: String, enum: SIGNUP_ROLES, default: 'viewer' }) signup_role!: SignupRole;
  @Prop({ type: [String], default: () => [] }) allowed_origins!: string[];
  @Prop({ type: Number, default: null, min: 1 }) response_retention_days!: number | null;
  /** Spam is erased this many days after it arrived; null keeps it (until `response_retention_days`). */
  @Prop({ type: Number, default: 30, min: 1 }) spam_retention_days!: number | null;
}

/** The registry of tenants: global, so it opts out of the tenant scope that every other collection gets. */
@Schema({
  collection: 'tenants',
  timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  versionKey: false,
  tenantScoped: false,
} as never)
export class Tenant {
  @Prop({ required: true, unique: true, match: TENANT_ID_PATTERN }) tenant_id!: string;
  @Prop({ required: true, trim: true }) name!: string;
  @Prop({ type: String, required: true, enum: TENANT_STATUSES, default: 'active' }) status!: TenantStatus;
  @Prop({ type: SchemaFactory.createForClass(TenantSettingsDocument), default: () => ({}) })
  settings!: TenantSettingsDocument;
  created_at!: Date;
  updated_at!: Date;
}

export type TenantDocument = HydratedDocument<Tenant>;
export const TenantSchema = SchemaFactory.createForClass(Tenant);
