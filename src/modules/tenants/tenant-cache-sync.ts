import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InvalidationChannel } from '../../infrastructure/cache/invalidation-channel.js';
import { MissedAnnouncements } from '../../infrastructure/cache/missed-announcements.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { SharedRedis } from '../../infrastructure/redis/shared-redis.js';
import { TenantResolver } from './tenant-resolver.js';

/**
 * Keeps every replica's tenant cache fresh: a change is applied locally at once and announced on a
 * Redis channel that all replicas listen to (or, when Redis does not take it, recorded in the database,
 * which every replica reads: see `InvalidationChannel`). While Redis is down the cache's short TTL
 * bounds staleness.
 */
@Injectable()
export class TenantCacheSync implements OnModuleInit, OnApplicationShutdown {
  private readonly channel: InvalidationChannel;

  constructor(config: AppConfigService, resolver: TenantResolver, redis: SharedRedis, missed: MissedAnnouncements) {
    this.channel = new InvalidationChannel(
      redis,
      `${config.queue.prefix}:tenant-changed`,
      { invalidate: (tenantId) => resolver.forget(tenantId), invalidateAll: () => resolver.forgetAll() },
      missed,
    );
  }

  onModuleInit(): void {
    this.channel.start();
  }

  tenantChanged(tenantId: string): Promise<void> {
    return this.channel.announce(tenantId);
  }

  onApplicationShutdown(): void {
    this.channel.close();
  }
}
