import { Global, Module } from '@nestjs/common';
import { SharedRedis } from './shared-redis.js';

/** The process's one shared fail-fast Redis connection (see `SharedRedis`); BullMQ keeps its own. */
@Global()
@Module({ providers: [SharedRedis], exports: [SharedRedis] })
export class RedisModule {}
