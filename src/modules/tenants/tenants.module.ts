import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../../infrastructure/auth/auth.module.js';
import { AdminKeyModule } from '../../infrastructure/http/admin-key.module.js';
import { PublicFormOrigins } from '../../infrastructure/http/cors.js';
import { TenantDirectory } from '../../infrastructure/tenancy/tenant-directory.js';
import { ApiKeysModule } from '../api-keys/index.js';
import { EventsModule } from '../events/index.js';
import { FormsModule } from '../forms/index.js';
import { InvitationsModule } from '../invitations/index.js';
import { UsersModule } from '../users/index.js';
import { AdminTenantsController } from './admin-tenants.controller.js';
import { DeletedTenantId, DeletedTenantIdSchema } from './deleted-tenant-id.schema.js';
import { FormEmbeddingOrigins } from './form-embedding-origins.js';
import { TenantCacheSync } from './tenant-cache-sync.js';
import { TenantResolutionGuard } from './tenant-resolution.guard.js';
import { TenantResolver } from './tenant-resolver.js';
import { TenantController } from './tenant.controller.js';
import { Tenant, TenantSchema } from './tenant.schema.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

/**
 * The tenant registry: the operator's admin API, the owner's own settings, the global guard that
 * resolves every request's tenant (and checks its token), `TenantDirectory` for background jobs and
 * `PublicFormOrigins` for the CORS answers of embedded forms.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Tenant.name, schema: TenantSchema },
      { name: DeletedTenantId.name, schema: DeletedTenantIdSchema },
    ]),
    AuthModule,
    AdminKeyModule,
    UsersModule,
    ApiKeysModule,
    InvitationsModule,
    FormsModule,
    EventsModule,
  ],
  controllers: [AdminTenantsController, TenantController],
  providers: [
    TenantsRepository,
    TenantResolver,
    TenantCacheSync,
    TenantsService,
    { provide: TenantDirectory, useExisting: TenantResolver },
    { provide: PublicFormOrigins, useClass: FormEmbeddingOrigins },
    { provide: APP_GUARD, useClass: TenantResolutionGuard },
  ],
  exports: [TenantsService, TenantDirectory, PublicFormOrigins],
})
export class TenantsModule {}
