import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { RateLimitName, type RateLimitPolicies, type RouteRateLimitName } from './rate-limit-policies.js';
import { rateLimitKey, rateLimitTracker, routeRateLimits } from './rate-limit.guard.js';
import type { RedisRateLimitStorage } from './redis-rate-limit-storage.js';

const ROUTE_LIMITS: RouteRateLimitName[] = [
  RateLimitName.Submission,
  RateLimitName.PublicUpload,
  RateLimitName.PublicRead,
  RateLimitName.Account,
  RateLimitName.Login,
];

/**
 * The throttler's configuration: one named throttler per route limit, each skipped unless the route
 * declared it with `@RateLimited`, counted in Redis under a hash of its subject (IP, or IP and form).
 */
export function throttlerOptions(policies: RateLimitPolicies, storage: RedisRateLimitStorage): ThrottlerModuleOptions {
  return {
    storage,
    setHeaders: false,
    generateKey: (_context, tracker, name) => rateLimitKey(name, tracker),
    throttlers: ROUTE_LIMITS.map((name) => ({
      name,
      limit: policies.of(name).limit,
      ttl: policies.of(name).windowMs,
      skipIf: (context) => !routeRateLimits(context).includes(name),
      getTracker: (request) => rateLimitTracker(request as FastifyRequest, name),
    })),
  };
}
