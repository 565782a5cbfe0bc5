import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { TenantResolver } from './tenant-resolver.js';

/**
 * Keeps every replica's tenant cache fresh: a change is applied locally at once and announced on a
 * Redis channel that all replicas listen to. While Redis is down the cache's short TTL bounds staleness.
 */
@Injectable()
export class TenantCacheSync implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TenantCacheSync.name);
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(
    config: AppConfigService,
    private readonly resolver: TenantResolver,
  ) {
    this.channel = `${config.queue.prefix}:tenant-changed`;
    const options = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false };
    this.publisher = new Redis(config.redisUrl, options);
    this.subscriber = new Redis(config.redisUrl, { lazyConnect: true });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error) => this.logger.debug({ msg: 'tenant cache sync: redis error', err: error.message }));
    }
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', (_channel, tenantId: string) => this.resolver.forget(tenantId));
    // Subscribing must not block start-up while Redis is down; ioredis re-subscribes on reconnect.
    this.subscriber.connect().then(
      () => this.subscriber.subscribe(this.channel),
      (error: Error) => this.logger.warn({ msg: 'tenant cache sync not subscribed yet', err: error.message }),
    );
  }

  async tenantChanged(tenantId: string): Promise<void> {
    this.resolver.forget(tenantId);
    try {
      if (this.publisher.status === 'wait') await this.publisher.connect();
      await this.publisher.publish(this.channel, tenantId);
    } catch (error) {
      this.logger.warn({
        msg: 'could not announce tenant change; other replicas catch up by TTL',
        tenantId,
        err: String(error),
      });
    }
  }

  onApplicationShutdown(): void {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
