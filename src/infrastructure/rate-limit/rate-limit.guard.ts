import { createHash } from 'node:crypto';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import { normalizeIp, ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { canonicalId } from '../database/mongo-values.js';
import { ApiError } from '../http/api-error.js';
import { RateLimitName, type RouteRateLimitName } from './rate-limit-policies.js';
import type { RedisRateLimitStorage } from './redis-rate-limit-storage.js';

export const RATE_LIMITS_KEY = 'form-backend:rate-limits';

/** The limits a route declared with `@RateLimited`; the guard skips every other one. */
export function routeRateLimits(context: ExecutionContext): readonly RouteRateLimitName[] {
  return (Reflect.getMetadata(RATE_LIMITS_KEY, context.getHandler()) as RouteRateLimitName[] | undefined) ?? [];
}

const PER_FORM: ReadonlySet<string> = new Set([
  RateLimitName.Submission,
  RateLimitName.PublicUpload,
  RateLimitName.PublicRead,
]);

/**
 * Who is counted: the client IP (as `TRUST_PROXY` lets Fastify derive it; an IPv6 client by its /64),
 * and for a form's public endpoints, the form as well: by its id as the server reads it, so the
 * case variants of one id (the id parser accepts any) share one counter. The across-forms limits
 * (`SubmissionAnyForm`, `PublicUploadAnyForm`) count the IP alone, whatever the form or tenant.
 */
export function rateLimitTracker(request: FastifyRequest, name: string): string {
  const ip = normalizeIp(request.ip);
  if (!PER_FORM.has(name)) return ip;
  const { form_id: formId } = request.params as { form_id?: string };
  return `${ip}|${canonicalId(formId ?? '')}`;
}

/** The Redis key of one subject under one limit: the limit's name and a hash, never an IP or email. */
export function rateLimitKey(name: string, subject: string): string {
  return `${name}:${createHash('sha256').update(subject).digest('base64url')}`;
}

/**
 * `@nestjs/throttler`'s guard answering with the contract's `429 rate_limited` and `Retry-After`. A
 * route with several limits (a submission: per form, then across forms) is counted under all of them
 * in one Redis round trip instead of one per limit, with the same outcome: in order, stopping at the
 * first limit the call is over.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const declared = routeRateLimits(context);
    const throttlers = this.throttlers.filter((throttler) => declared.includes(throttler.name as RouteRateLimitName));
    if (throttlers.length < 2) return super.canActivate(context);
    // The module's storage (rate-limit.module.ts).
    const storage = this.storageService as RedisRateLimitStorage;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const over = await storage.incrementInOrder(
      throttlers.map((throttler) => {
        const name = throttler.name as RouteRateLimitName;
        return {
          name,
          key: rateLimitKey(name, rateLimitTracker(request, name)),
          windowMs: Number(throttler.ttl),
          limit: Number(throttler.limit),
        };
      }),
    );
    if (over) throw ApiError.rateLimited(over.secondsLeft);
    return true;
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw ApiError.rateLimited(detail.timeToBlockExpire);
  }
}
