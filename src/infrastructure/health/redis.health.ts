import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SharedRedis } from '../redis/shared-redis.js';

const PING_TIMEOUT_MS = 1_000;

/**
 * Pings Redis on the process's shared fail-fast connection: while Redis is down the ping rejects at
 * once (no offline queue), and a slow answer is cut at one second.
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
        await this.redis.client.ping();
      })
      .withTimeout(PING_TIMEOUT_MS);
  }
}
