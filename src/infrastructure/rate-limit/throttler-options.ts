import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { RateLimitName, type RateLimitPolicies, type RouteRateLimitName } from './rate-limit-policies.js';
import { rateLimitKey, rateLimitTracker, routeRateLimits } from './rate-limit.guard.js';
import type { RedisRateLimitStorage } from './redis-rate-limit-storage.js';

/**
 * In the order they are counted (the throttler keeps this order among limits of one window): a call
 * is counted under each limit its route declares until one refuses it. So the per-form limit comes
 * before its across-forms one: calls a busy form refuses (many respondents behind one NAT) do not use
 * up that address's allowance for other forms.
 */
const ROUTE_LIMITS: RouteRateLimitName[] = [
  RateLimitName.Submission,
  RateLimitName.SubmissionAnyForm,
  RateLimitName.PublicUpload,
  RateLimitName.PublicUploadAnyForm,
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
