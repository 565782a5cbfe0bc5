import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { RouteRateLimitName } from './rate-limit-policies.js';
import { RATE_LIMITS_KEY, RateLimitGuard } from './rate-limit.guard.js';

/**
 * Counts every call of the route under each named limit (see `RateLimitPolicies`); over any of them,
 * the caller gets `429 rate_limited` with `Retry-After`. Runs after the tenant is resolved and before
 * the handler (after Fastify has read a JSON or form body: a refused call costs that, never the work).
 */
export function RateLimited(...names: [RouteRateLimitName, ...RouteRateLimitName[]]): MethodDecorator {
  const listed = names.map((name) => `"${name}"`).join(', ');
  return applyDecorators(
    SetMetadata(RATE_LIMITS_KEY, names),
    UseGuards(RateLimitGuard),
    ApiTooManyRequestsResponse({ description: `Too many calls (rate_limited, with Retry-After): limits ${listed}` }),
  );
}
