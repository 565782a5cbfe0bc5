import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AttemptCounter } from './attempt-counter.js';
import { DailyByteAllowance } from './daily-byte-allowance.js';
import { OnceCountedLimits } from './once-counted-limits.js';
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
 * body-keyed attempts with `AttemptCounter`, and daily byte allowances with `DailyByteAllowance`. Every count lives in Redis, so limits hold across replicas.
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
  providers: [AttemptCounter, DailyByteAllowance, OnceCountedLimits],
  exports: [AttemptCounter, DailyByteAllowance, OnceCountedLimits],
})
export class RateLimitModule {}
