/** The tenants module's public surface: the rest of src/ imports it from here, and only from here. */
export { TenantsModule } from './tenants.module.js';
export { TenantsService } from './tenants.service.js';
export { DefaultTenantBootstrap } from './default-tenant-bootstrap.js';
