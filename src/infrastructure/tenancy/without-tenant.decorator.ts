import { SetMetadata } from '@nestjs/common';

export const WITHOUT_TENANT = 'withoutTenant';

/** Marks a controller or route that runs outside any tenant (operations, admin); all others resolve one. */
export const WithoutTenant = () => SetMetadata(WITHOUT_TENANT, true);
