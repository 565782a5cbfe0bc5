import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../../infrastructure/auth/auth.module.js';
import { AdminTenantsController } from './admin-tenants.controller.js';
import { TenantCacheSync } from './tenant-cache-sync.js';
import { TenantResolutionGuard } from './tenant-resolution.guard.js';
import { TenantResolver } from './tenant-resolver.js';
import { Tenant, TenantSchema } from './tenant.schema.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: Tenant.name, schema: TenantSchema }]), AuthModule],
  controllers: [AdminTenantsController],
  providers: [
    TenantsRepository,
    TenantResolver,
    TenantCacheSync,
    TenantsService,
    { provide: APP_GUARD, useClass: TenantResolutionGuard },
  ],
  exports: [TenantsService],
})
export class TenantsModule {}
