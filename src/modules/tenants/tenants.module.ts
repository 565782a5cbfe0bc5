import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { AdminTenantsController } from './admin-tenants.controller.js';
import { TenantCacheSync } from './tenant-cache-sync.service.js';
import { TenantResolutionGuard } from './tenant-resolution.guard.js';
import { TenantResolver } from './tenant-resolver.service.js';
import { Tenant, TenantSchema } from './tenant.schema.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: Tenant.name, schema: TenantSchema }])],
  controllers: [AdminTenantsController],
  providers: [
    TenantsRepository,
    TenantResolver,
    TenantCacheSync,
    TenantsService,
    { provide: APP_GUARD, useClass: TenantResolutionGuard },
  ],
  exports: [TenantsService, TenantResolver],
})
export class TenantsModule {}
