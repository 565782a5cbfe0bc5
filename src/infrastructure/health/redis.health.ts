import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service.js';

const PING_TIMEOUT_MS = 1_000;

/** Pings Redis on a connection of its own, so a health check never queues behind job traffic. */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis;

  constructor(
    config: AppConfigService,
    private readonly health: HealthIndicatorService,
  ) {
    this.client = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: PING_TIMEOUT_MS,
      retryStrategy: () => PING_TIMEOUT_MS,
    });
    // Connection errors surface through the check's result; without a listener ioredis would log each one.
    this.client.on('error', () => undefined);
  }

  pingCheck(key: string) {
    return this.health
      .check(key)
      .attempt(async () => {
        if (this.client.status === 'wait') await this.client.connect();
        await this.client.ping();
      })
      .withTimeout(PING_TIMEOUT_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
