import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { RateLimitPolicies, type RateLimitName } from './rate-limit-policies.js';
import { rateLimitKey } from './rate-limit.guard.js';
import { RedisRateLimitStorage } from './redis-rate-limit-storage.js';

/**
 * Limits a service counts itself, keyed by something in the body (an email) rather than the client:
 * the attempt is counted before the work it guards, so parallel attempts cannot all slip through.
 */
@Injectable()
export class AttemptCounter {
  constructor(
    private readonly storage: RedisRateLimitStorage,
    private readonly policies: RateLimitPolicies,
  ) {}

  /** Counts one attempt; `429 rate_limited` once the attempts pass the limit. */
  async count(name: RateLimitName, subject: string): Promise<void> {
    const { limit, windowMs } = this.policies.of(name);
    const counted = await this.storage.increment(rateLimitKey(name, subject), windowMs, limit, windowMs, name);
    if (counted.isBlocked) throw ApiError.rateLimited(counted.timeToBlockExpire);
  }

  /**
   * `429 rate_limited` when the subject has no attempt left, counting nothing: for a check whose
   * success must not count (a right admin key) but must still be refused once the limit is reached.
   */
  async assertNotExhausted(name: RateLimitName, subject: string): Promise<void> {
    const { limit } = this.policies.of(name);
    const retryAfterSeconds = await this.storage.blockedFor(rateLimitKey(name, subject), limit, name);
    if (retryAfterSeconds > 0) throw ApiError.rateLimited(retryAfterSeconds);
  }

  /** Takes back an attempt that turned out not to count (e.g. the password was right). */
  async uncount(name: RateLimitName, subject: string): Promise<void> {
    await this.storage.decrement(rateLimitKey(name, subject), name);
  }
}
