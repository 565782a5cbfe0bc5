import { SetMetadata } from '@nestjs/common';

export const TENANT_FROM_QUERY = 'tenantFromQuery';

/**
 * Marks a public route a plain web page reaches (a form's `action`, a link): without a token or
 * `X-Tenant-ID`, `?tenant=<tenant_id>` names the tenant. Never over a token or the header.
 */
export const TenantFromQuery = () => SetMetadata(TENANT_FROM_QUERY, true);
