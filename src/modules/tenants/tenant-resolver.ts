import { HttpStatus, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import type { ResolvedTenant } from '../../infrastructure/tenancy/tenant-context.js';
import { TenantDirectory } from '../../infrastructure/tenancy/tenant-directory.js';
import { TenantsRepository } from './tenants.repository.js';

const CACHE_SIZE = 10_000;
/** Upper bound on how long another replica may serve a tenant changed elsewhere if pub/sub is down. */
const CACHE_TTL_MS = 10_000;

/**
 * Turns a tenant id into the tenant the request runs as, or the contract's 404/403. Hot path: every
 * request resolves one, so answers (misses included) are cached in-process for a short time.
 */
@Injectable()
export class TenantResolver extends TenantDirectory {
  private readonly cache = new LRUCache<string, ResolvedTenant | 'missing'>({ max: CACHE_SIZE, ttl: CACHE_TTL_MS });

  constructor(private readonly tenants: TenantsRepository) {
    super();
  }

  /** For requests: the tenant, or the contract's 404 tenant_not_found / 403 tenant_suspended. */
  async resolve(tenantId: string): Promise<ResolvedTenant> {
    const tenant = await this.lookup(tenantId);
    if (tenant === 'missing') {
      throw new ApiError(HttpStatus.NOT_FOUND, ErrorCode.TenantNotFound, `Tenant '${tenantId}' not found`);
    }
    if (tenant.status !== 'active') {
      // A tenant being deleted is suspended for good.
      throw new ApiError(HttpStatus.FORBIDDEN, ErrorCode.TenantSuspended, `Tenant '${tenantId}' is suspended`);
    }
    return tenant;
  }

  /** For jobs: the tenant whatever its status, or null. */
  async find(tenantId: string): Promise<ResolvedTenant | null> {
    const tenant = await this.lookup(tenantId);
    return tenant === 'missing' ? null : tenant;
  }

  private async lookup(tenantId: string): Promise<ResolvedTenant | 'missing'> {
    let tenant = this.cache.get(tenantId);
    if (tenant === undefined) {
      const record = await this.tenants.findById(tenantId);
      tenant = record
        ? { tenant_id: record.tenant_id, name: record.name, status: record.status, settings: record.settings }
        : 'missing';
      this.cache.set(tenantId, tenant);
    }
    return tenant;
  }

  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  forgetAll(): void {
    this.cache.clear();
  }
}
