import { Global, Module } from '@nestjs/common';
import { RedisProbe } from './redis-probe.js';
import { SharedRedis } from './shared-redis.js';

/**
 * The process's one shared fail-fast Redis connection (see `SharedRedis`); BullMQ keeps its own.
 * `RedisProbe` reports on it as `redis_up` in /metrics.
 */
@Global()
@Module({ providers: [SharedRedis, RedisProbe], exports: [SharedRedis] })
export class RedisModule {}
