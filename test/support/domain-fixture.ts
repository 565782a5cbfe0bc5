import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CoreModule } from '../../src/core.module.js';
import { FeaturesModule } from '../../src/features.module.js';
import { type Actor, TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { TenantResolver } from '../../src/modules/tenants/tenant-resolver.js';
import { TenantsModule } from '../../src/modules/tenants/tenants.module.js';
import { TenantsService } from '../../src/modules/tenants/tenants.service.js';
import { dropDatabase } from './e2e-app.js';

export interface DomainFixture {
  get<T>(type: Type<T>): T;
  createTenant(tenantId: string, settings?: Record<string, unknown>): Promise<void>;
  /** Runs `work` in the tenant's context, as the HTTP guard would set it up (settings, actor). */
  inTenant<T>(tenantId: string, work: () => Promise<T>, actor?: Actor): Promise<T>;
  /** Drops the test database and closes every connection. */
  close(): Promise<void>;
}

/**
 * The domain modules without HTTP, on the environment `useTestEnvironment` set: call services
 * directly to test rules (idempotency, quota slots) below the API.
 */
export async function createDomainFixture(): Promise<DomainFixture> {
  const moduleRef = await Test.createTestingModule({ imports: [CoreModule, TenantsModule, FeaturesModule] }).compile();
  const context = await moduleRef.init();
  return {
    get: (type) => context.get(type, { strict: false }),
    createTenant: async (tenant_id, settings = {}) => {
      await context.get(TenantsService).create({ tenant_id, name: tenant_id, settings });
    },
    inTenant: async (tenantId, work, actor) =>
      TenantContext.runForTenant(await context.get(TenantResolver, { strict: false }).resolve(tenantId), work, actor),
    close: async () => {
      await dropDatabase(context);
      await context.close();
    },
  };
}
