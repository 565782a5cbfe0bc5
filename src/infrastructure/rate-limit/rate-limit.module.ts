import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AttemptCounter } from './attempt-counter.js';
import { RateLimitPolicies } from './rate-limit-policies.js';
import { RedisRateLimitStorage } from './redis-rate-limit-storage.js';
import { throttlerOptions } from './throttler-options.js';

/** The counters' Redis storage and configured numbers, for the throttler and for services. */
@Module({
  providers: [RateLimitPolicies, RedisRateLimitStorage],
  exports: [RateLimitPolicies, RedisRateLimitStorage],
})
class RateLimitStorageModule {}

/**
 * Rate limits on `@nestjs/throttler`: routes opt in with `@RateLimited(name)`, services count
 * body-keyed attempts with `AttemptCounter`. Every count lives in Redis, so limits hold across replicas.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [RateLimitPolicies, RedisRateLimitStorage],
      useFactory: throttlerOptions,
    }),
    RateLimitStorageModule,
  ],
  providers: [AttemptCounter],
  exports: [AttemptCounter],
})
export class RateLimitModule {}
