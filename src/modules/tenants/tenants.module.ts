import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../../infrastructure/auth/auth.module.js';
import { TenantDirectory } from '../../infrastructure/tenancy/tenant-directory.js';
import { AdminTenantsController } from './admin-tenants.controller.js';
import { TenantCacheSync } from './tenant-cache-sync.js';
import { TenantResolutionGuard } from './tenant-resolution.guard.js';
import { TenantResolver } from './tenant-resolver.js';
import { Tenant, TenantSchema } from './tenant.schema.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';
import { InvitationsModule } from '../invitations/invitations.module.js';
import { UsersModule } from '../users/users.module.js';
import { TenantController } from './tenant.controller.js';

/**
 * The tenant registry: the operator's admin API, the owner's own settings, the global guard that
 * resolves every request's tenant (and checks its token), and `TenantDirectory` for background jobs.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: Tenant.name, schema: TenantSchema }]),
    AuthModule,
    UsersModule,
    InvitationsModule,
  ],
  controllers: [AdminTenantsController, TenantController],
  providers: [
    TenantsRepository,
    TenantResolver,
    TenantCacheSync,
    TenantsService,
    { provide: TenantDirectory, useExisting: TenantResolver },
    { provide: APP_GUARD, useClass: TenantResolutionGuard },
  ],
  exports: [TenantsService, TenantDirectory],
})
export class TenantsModule {}
