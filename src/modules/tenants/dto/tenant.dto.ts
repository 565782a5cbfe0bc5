import { ApiProperty } from '@nestjs/swagger';
import type { TenantStatus } from '../../../infrastructure/tenancy/tenant-context.js';
import { TENANT_STATUSES } from '../tenant.schema.js';
import type { TenantRecord } from '../tenants.repository.js';

export class TenantDto {
  @ApiProperty({ example: 'acme' }) tenant_id!: string;
  @ApiProperty({ example: 'Acme Corp' }) name!: string;
  @ApiProperty({ enum: TENANT_STATUSES, description: '`deleting` once DELETE was called, until it is gone' })
  status!: TenantStatus;
  @ApiProperty({
    example: {
      max_forms: 100,
      max_responses_per_form: 10000,
      features: { workflows: false, ai_generation: false, webhooks: false },
      max_webhooks: 10,
      registration: 'invite_only',
      signup_role: 'viewer',
      allowed_origins: [],
      response_retention_days: null,
      spam_retention_days: 30,
    },
  })
  settings!: TenantRecord['settings'];
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;

  static from(record: TenantRecord): TenantDto {
    return {
      tenant_id: record.tenant_id,
      name: record.name,
      status: record.status,
      settings: record.settings,
      created_at: record.created_at.toISOString(),
      updated_at: record.updated_at.toISOString(),
    };
  }
}
