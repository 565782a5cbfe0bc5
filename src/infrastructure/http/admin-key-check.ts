import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { secretMatcher } from '../auth/secret-matcher.js';
import { AppConfigService } from '../config/app-config.service.js';
import { AttemptCounter } from '../rate-limit/attempt-counter.js';
import { RateLimitName } from '../rate-limit/rate-limit-policies.js';
import { rateLimitTracker } from '../rate-limit/rate-limit.guard.js';
import { ApiError } from './api-error.js';

/**
 * The operator's key (`ADMIN_API_KEY`), checked for the admin API and the queue dashboard. Wrong or
 * missing keys are counted per client IP (`ADMIN_KEY_MAX_FAILURES_PER_IP` per
 * `ADMIN_KEY_RATE_WINDOW_SECONDS`); once a client used them up, it gets `429 rate_limited`, a right
 * key included (else guessing would go on, the answer telling right from wrong). A right key never
 * counts, so other clients' failures never slow an operator down. Each decision is one Redis command,
 * so parallel guesses cannot all pass the limit. While Redis is down, admin keys are refused (`503`),
 * as logins are: a guess is never unthrottled.
 */
@Injectable()
export class AdminKeyCheck {
  private readonly matches: (given: unknown) => boolean;

  constructor(
    config: AppConfigService,
    private readonly attempts: AttemptCounter,
  ) {
    this.matches = secretMatcher(config.auth.adminApiKey);
  }

  /** Passes when one of `given` (the places the key may be sent) is the admin key; else throws. */
  async verify(request: FastifyRequest, given: unknown[]): Promise<void> {
    const client = rateLimitTracker(request, RateLimitName.AdminKeyFailures);
    if (given.some((candidate) => this.matches(candidate))) {
      await this.attempts.assertNotExhausted(RateLimitName.AdminKeyFailures, client);
      return;
    }
    await this.attempts.count(RateLimitName.AdminKeyFailures, client);
    throw ApiError.unauthorized('A valid X-Admin-Key header is required');
  }
}
