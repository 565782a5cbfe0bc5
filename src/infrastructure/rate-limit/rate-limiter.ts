import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service.js';
import { ApiError } from '../http/api-error.js';

export interface RateLimit {
  /** Counter name; callers include the tenant and the subject (email, IP). */
  key: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters in Redis, shared by every API replica. While Redis is unreachable the limiter
 * lets requests through (logged): refusing every login because a cache is down would be worse.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(config: AppConfigService) {
    this.prefix = `${config.queue.prefix}:rate`;
    this.redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
    });
    this.redis.on('error', (error) => this.logger.debug({ msg: 'rate limiter: redis error', err: error.message }));
  }

  /** Throws `429 rate_limited` (with the seconds to wait) when the counter already reached its limit. */
  async assertBelow(limit: RateLimit): Promise<void> {
    const state = await this.read(limit);
    if (state && state.count >= limit.limit) throw ApiError.rateLimited(state.retryAfterSeconds);
  }

  /** Counts one more hit; throws `429 rate_limited` once the hit goes over the limit. */
  async hit(limit: RateLimit): Promise<void> {
    const key = this.keyOf(limit);
    const result = await this.run(() =>
      this.redis.multi().incr(key).expire(key, limit.windowSeconds, 'NX').ttl(key).exec(),
    );
    if (!result) return;
    const count = Number(result[0]?.[1]);
    if (count > limit.limit) throw ApiError.rateLimited(Number(result[2]?.[1]));
  }

  async reset(limit: RateLimit): Promise<void> {
    await this.run(() => this.redis.del(this.keyOf(limit)));
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }

  private async read(limit: RateLimit): Promise<{ count: number; retryAfterSeconds: number } | null> {
    const key = this.keyOf(limit);
    const result = await this.run(() => this.redis.multi().get(key).ttl(key).exec());
    if (!result) return null;
    return { count: Number(result[0]?.[1] ?? 0), retryAfterSeconds: Number(result[1]?.[1]) };
  }

  private keyOf(limit: RateLimit): string {
    return `${this.prefix}:${limit.key}`;
  }

  private async run<T>(command: () => Promise<T>): Promise<T | null> {
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      return await command();
    } catch (error) {
      this.logger.warn({ msg: 'rate limiter unavailable: request allowed', err: (error as Error).message });
      return null;
    }
  }
}
