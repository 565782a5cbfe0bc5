import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SharedRedis } from '../redis/shared-redis.js';

const PING_TIMEOUT_MS = 1_000;

/**
 * Pings Redis on the process's shared fail-fast connection: a connection still being made gets up to
 * a second, a slow answer is cut at one second, and while Redis is down the check fails in that time.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: SharedRedis,
    private readonly health: HealthIndicatorService,
  ) {}

  pingCheck(key: string) {
    return this.health
      .check(key)
      .attempt(async () => {
        await this.redis.whenReady(PING_TIMEOUT_MS);
        await this.redis.client.ping();
      })
      .withTimeout(PING_TIMEOUT_MS);
  }
}
