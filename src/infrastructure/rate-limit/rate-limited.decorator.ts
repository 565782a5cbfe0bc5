import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { RouteRateLimitName } from './rate-limit-policies.js';
import { RATE_LIMITS_KEY, RateLimitGuard } from './rate-limit.guard.js';

/**
 * Counts every call of the route under the named limit (see `RateLimitPolicies`); over it, the caller
 * gets `429 rate_limited` with `Retry-After`. Runs after the tenant is resolved and before the handler.
 */
export function RateLimited(name: RouteRateLimitName): MethodDecorator {
  return applyDecorators(
    SetMetadata(RATE_LIMITS_KEY, [name]),
    UseGuards(RateLimitGuard),
    ApiTooManyRequestsResponse({ description: `Too many calls (rate_limited, with Retry-After): limit "${name}"` }),
  );
}
