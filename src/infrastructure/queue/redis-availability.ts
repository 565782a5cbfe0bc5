import { Injectable } from '@nestjs/common';
import { SharedRedis } from '../redis/shared-redis.js';

export class QueueUnavailableError extends Error {
  constructor() {
    super('Redis is unreachable: the job was not queued');
  }
}

/**
 * Whether Redis answers right now, read from the process's shared connection. BullMQ waits for Redis
 * to come back before adding a job; producers ask here first and fail at once, so a request never
 * waits on Redis (its events stay pending and the relay queues them later).
 */
@Injectable()
export class RedisAvailability {
  constructor(private readonly redis: SharedRedis) {}

  isAvailable(): boolean {
    return this.redis.isReady();
  }

  assertAvailable(): void {
    if (!this.isAvailable()) throw new QueueUnavailableError();
  }
}
