import { Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service.js';
import { ApiError } from '../http/api-error.js';
import { SharedRedis } from '../redis/shared-redis.js';
import { RateLimitPolicies, type RateLimitName } from './rate-limit-policies.js';

/** What `@nestjs/throttler` expects back from a storage. */
export interface RateLimitCount {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/** Counts and starts the window in one step, so parallel requests can never all pass a check. */
const COUNT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * `COUNT_SCRIPT` for several limits in order (ARGV: each one's window and limit), stopping at the
 * first one over its limit: its position (from 1) and remaining window; { 0, 0 } when none is.
 */
const COUNT_IN_ORDER_SCRIPT = `
for i = 1, #KEYS do
  local hits = redis.call('INCR', KEYS[i])
  if hits == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i - 1]) end
  if hits > tonumber(ARGV[2 * i]) then return { i, redis.call('PTTL', KEYS[i]) } end
end
return { 0, 0 }`;

/** Takes one hit back, never below zero and never reviving an expired window. */
const UNCOUNT_SCRIPT = `
if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0`;

/** Reads a count without adding to it: the hits so far and the window's remaining time. */
const PEEK_SCRIPT = `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
return { hits, redis.call('PTTL', KEYS[1]) }`;

const WARN_EVERY_MS = 10_000;

/** One limit a call is counted under: its Redis key (without the prefix), window and limit. */
export interface LimitCount {
  name: RateLimitName;
  key: string;
  windowMs: number;
  limit: number;
}

type CountingRedis = Redis & {
  countHit(key: string, windowMs: number): Promise<[number, number]>;
  countInOrder(...keysThenArgs: (string | number)[]): Promise<[number, number]>;
  uncountHit(key: string): Promise<number>;
  peekHits(key: string): Promise<[number, number]>;
};

/**
 * Fixed-window counters in Redis, shared by every API replica: the storage of `@nestjs/throttler`
 * and of the counters services keep (failed logins, reset emails). Keys hold a hash of the subject
 * (IP, email), never the subject itself.
 */
@Injectable()
export class RedisRateLimitStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisRateLimitStorage.name);
  private readonly redis: CountingRedis;
  private readonly prefix: string;
  private readonly lastWarned = new Map<RateLimitName, number>();

  constructor(
    config: AppConfigService,
    private readonly policies: RateLimitPolicies,
    redis: SharedRedis,
  ) {
    this.prefix = `${config.queue.prefix}:rate:`;
    // The process's shared fail-fast connection: while Redis is down a count rejects at once.
    this.redis = redis.client as CountingRedis;
    this.redis.defineCommand('countHit', { numberOfKeys: 1, lua: COUNT_SCRIPT });
    this.redis.defineCommand('countInOrder', { lua: COUNT_IN_ORDER_SCRIPT });
    this.redis.defineCommand('uncountHit', { numberOfKeys: 1, lua: UNCOUNT_SCRIPT });
    this.redis.defineCommand('peekHits', { numberOfKeys: 1, lua: PEEK_SCRIPT });
  }

  /** Counts one hit of `key` in a window of `ttl` ms; blocked once the hits pass `limit`. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    name: string,
  ): Promise<RateLimitCount> {
    const counted = await this.run(name as RateLimitName, () => this.redis.countHit(this.prefix + key, ttl));
    if (!counted) return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    const [hits, remainingMs] = counted;
    const secondsLeft = Math.max(1, Math.ceil(remainingMs / 1000));
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked: hits > limit, timeToBlockExpire: secondsLeft };
  }

  /**
   * Counts one hit under each limit in order, in one round trip (what `increment` does limit by
   * limit), stopping at the first one over its limit: that one and the seconds until its window
   * ends, or null when the call is within every limit (or may pass uncounted: Redis unreachable).
   */
  async incrementInOrder(counts: LimitCount[]): Promise<{ name: RateLimitName; secondsLeft: number } | null> {
    const args = [
      counts.length,
      ...counts.map((count) => this.prefix + count.key),
      ...counts.flatMap((count) => [count.windowMs, count.limit]),
    ];
    const names = counts.map((count) => count.name);
    const counted = await this.runAll(names, () => this.redis.countInOrder(...args));
    if (!counted || counted[0] === 0) return null;
    return { name: names[counted[0] - 1], secondsLeft: Math.max(1, Math.ceil(counted[1] / 1000)) };
  }

  /** Takes back one hit that turned out not to count (a login that succeeded). */
  async decrement(key: string, name: RateLimitName): Promise<void> {
    await this.run(name, () => this.redis.uncountHit(this.prefix + key));
  }

  /**
   * Whether `key` has used up its `limit` already, without counting a hit: the seconds until its
   * window ends, or 0 when another hit may be made.
   */
  async blockedFor(key: string, limit: number, name: RateLimitName): Promise<number> {
    const peeked = await this.run(name, () => this.redis.peekHits(this.prefix + key));
    if (!peeked || peeked[0] < limit) return 0;
    return Math.max(1, Math.ceil(peeked[1] / 1000));
  }

  /** Runs a command; while Redis is unreachable, the limit's policy decides: allow (null) or refuse. */
  private run<T>(name: RateLimitName, command: () => Promise<T>): Promise<T | null> {
    return this.runAll([name], command);
  }

  /** `run` for a command counting several limits: refused when any of them refuses uncounted calls. */
  private async runAll<T>(names: RateLimitName[], command: () => Promise<T>): Promise<T | null> {
    try {
      return await command();
    } catch (error) {
      let refused = false;
      for (const name of names) {
        const policy = this.policies.of(name);
        refused ||= policy.whenUncounted === 'refuse';
        // Once per limit every WARN_EVERY_MS: an outage under load must not write a line per request.
        if (Date.now() - (this.lastWarned.get(name) ?? 0) > WARN_EVERY_MS) {
          this.lastWarned.set(name, Date.now());
          this.logger.warn({
            msg: 'rate limits cannot be counted',
            limit: name,
            outcome: policy.whenUncounted,
            err: (error as Error).message,
          });
        }
      }
      if (!refused) return null;
      throw ApiError.unavailable('Rate limits cannot be checked right now; try again shortly');
    }
  }
}
