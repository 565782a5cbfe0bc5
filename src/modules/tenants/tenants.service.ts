import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import type { CreateTenantDto } from './dto/create-tenant.dto.js';
import type { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { TenantCacheSync } from './tenant-cache-sync.js';
import { type TenantRecord, TenantsRepository } from './tenants.repository.js';
import { isDuplicateKeyError } from '../../infrastructure/database/mongo-values.js';

@Injectable()
export class TenantsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TenantsService.name);

  constructor(
    private readonly tenants: TenantsRepository,
    private readonly cacheSync: TenantCacheSync,
    private readonly config: AppConfigService,
  ) {}

  /** v1 clients send no tenant: the default one must always exist. */
  async onApplicationBootstrap(): Promise<void> {
    const { defaultTenantId } = this.config.tenancy;
    await this.tenants.ensureExists(defaultTenantId, 'Default tenant');
    this.logger.log({ msg: 'default tenant ready', tenant_id: defaultTenantId });
  }

  async create(input: CreateTenantDto): Promise<TenantRecord> {
    if (await this.tenants.findById(input.tenant_id)) throw this.conflict(input.tenant_id);
    try {
      return await this.tenants.create({
        tenant_id: input.tenant_id,
        name: input.name,
        settings: { ...input.settings },
      });
    } catch (error) {
      // Two creations racing: the unique index decides, the loser gets the same answer.
      if (isDuplicateKeyError(error)) throw this.conflict(input.tenant_id);
      throw error;
    }
  }

  list(): Promise<TenantRecord[]> {
    return this.tenants.list();
  }

  async get(tenantId: string): Promise<TenantRecord> {
    const tenant = await this.tenants.findById(tenantId);
    if (!tenant) throw ApiError.notFound('Tenant');
    return tenant;
  }

  async update(tenantId: string, changes: UpdateTenantDto): Promise<TenantRecord> {
    const updated = await this.tenants.update(tenantId, changes);
    if (!updated) throw ApiError.notFound('Tenant');
    await this.cacheSync.tenantChanged(tenantId);
    return updated;
  }

  private conflict(tenantId: string): ApiError {
    return ApiError.conflict(`Tenant '${tenantId}' already exists`);
  }
}
