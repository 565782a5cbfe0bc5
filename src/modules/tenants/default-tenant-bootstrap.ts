import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TenantsService } from './tenants.service.js';

/**
 * Makes sure the default tenant exists when the API or the worker starts. Not in the CLI: an operator
 * command must not write to the database just by starting (a migration's dry run writes nothing).
 */
@Injectable()
export class DefaultTenantBootstrap implements OnApplicationBootstrap {
  constructor(private readonly tenants: TenantsService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.tenants.ensureDefaultTenant();
  }
}
