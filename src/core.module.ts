import { Module } from '@nestjs/common';
import { InvalidationModule } from './infrastructure/cache/invalidation.module.js';
import { RequestContextModule } from './infrastructure/cls/request-context.module.js';
import { AppConfigModule } from './infrastructure/config/app-config.module.js';
import { DatabaseModule } from './infrastructure/database/database.module.js';
import { MaintenanceModule } from './infrastructure/maintenance/maintenance.module.js';
import { MetricsModule } from './infrastructure/metrics/metrics.module.js';
import { QueueModule } from './infrastructure/queue/queue.module.js';
import { RedisModule } from './infrastructure/redis/redis.module.js';

/** The infrastructure every entry point (API, worker, CLI) shares. */
@Module({
  imports: [
    AppConfigModule,
    RequestContextModule,
    DatabaseModule,
    RedisModule,
    QueueModule,
    MetricsModule,
    MaintenanceModule,
    InvalidationModule,
  ],
})
export class CoreModule {}
