import type { ResolvedTenant } from './tenant-context.js';

/**
 * Where background work looks its tenant up (the tenants module provides it): a job of a suspended
 * tenant must not run, and one of a tenant that no longer exists must not run ever.
 */
export abstract class TenantDirectory {
  /** The tenant, or null when there is no such tenant (any more). */
  abstract find(tenantId: string): Promise<ResolvedTenant | null>;
}
