import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service.js';
import { FairPriority } from './fair-priority.js';
import { RedisAvailability } from './redis-availability.js';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * The BullMQ connection and job defaults shared by every queue (retry policy from config). Workers are
 * not started on discovery: the worker process starts them once its processors check out
 * (`WorkerQueues`); the API has none.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        prefix: config.queue.prefix,
        connection: { url: config.redisUrl },
        defaultJobOptions: {
          attempts: config.queue.attempts,
          backoff: { type: 'exponential', delay: config.queue.backoffMs },
          removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
          removeOnFail: { age: 7 * DAY_SECONDS },
        },
      }),
      extraOptions: { manualRegistration: true },
    }),
  ],
  providers: [RedisAvailability, FairPriority],
  exports: [BullModule, RedisAvailability, FairPriority],
})
export class QueueModule {}
