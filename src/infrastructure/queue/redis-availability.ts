import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service.js';

export class QueueUnavailableError extends Error {
  constructor() {
    super('Redis is unreachable: the job was not queued');
  }
}

/**
 * Whether Redis answers right now, from a connection of its own. BullMQ waits for Redis to come back
 * before adding a job; producers ask here first and fail at once, so a request never waits on Redis
 * (its events stay pending and the relay queues them later).
 */
@Injectable()
export class RedisAvailability implements OnModuleDestroy {
  private readonly logger = new Logger(RedisAvailability.name);
  private readonly client: Redis;

  constructor(config: AppConfigService) {
    this.client = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 500,
    });
    this.client.on('error', (error) => this.logger.debug({ msg: 'redis unavailable', err: error.message }));
  }

  isAvailable(): boolean {
    return this.client.status === 'ready';
  }

  assertAvailable(): void {
    if (!this.isAvailable()) throw new QueueUnavailableError();
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
