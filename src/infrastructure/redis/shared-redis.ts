import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service.js';

/** How long a connection attempt may take, and how often a lost one is retried. */
const CONNECT_TIMEOUT_MS = 1_000;
const RECONNECT_EVERY_MS = 500;

/**
 * The process's one fail-fast Redis connection for short commands: rate-limit counters, the
 * availability probe producers ask before queuing, readiness pings and cache-invalidation
 * announcements. Fail-fast: no offline queue and no retries, so while Redis is down every command
 * rejects at once instead of waiting (the caller decides: fail open, refuse, or report). It
 * reconnects by itself. BullMQ keeps its own connections (blocking commands need them), and
 * subscriptions take one more (`subscriber`), since a subscribed connection runs nothing else.
 */
@Injectable()
export class SharedRedis implements OnModuleDestroy {
  private readonly logger = new Logger(SharedRedis.name);
  readonly client: Redis;
  private subscription?: Redis;

  constructor(private readonly config: AppConfigService) {
    this.client = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: () => RECONNECT_EVERY_MS,
      // Commands issued in the same tick (every request's rate-limit count, under load) share one write.
      enableAutoPipelining: true,
    });
    this.client.on('error', (error) => this.logger.debug({ msg: 'redis unavailable', err: error.message }));
  }

  /** Whether Redis answered the last connection attempt and has not dropped since. */
  isReady(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Resolves once the connection is ready, or rejects after `timeoutMs`: for a check made right after
   * start-up (the CLI's `check`, a first readiness probe), which must not mistake "still connecting"
   * for "down". Commands themselves never wait.
   */
  async whenReady(timeoutMs: number): Promise<void> {
    if (this.isReady()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new Error(`Redis not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  /** The process's one subscriber connection, opened on first use (only the API's caches subscribe). */
  subscriber(): Redis {
    this.subscription ??= this.openSubscriber();
    return this.subscription;
  }

  private openSubscriber(): Redis {
    const subscriber = new Redis(this.config.redisUrl, {
      lazyConnect: true,
      autoResubscribe: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: () => RECONNECT_EVERY_MS,
    });
    subscriber.on('error', (error) => this.logger.debug({ msg: 'redis subscriber unavailable', err: error.message }));
    return subscriber;
  }

  /** Never waits for Redis: a process stopping while Redis is gone must not hang on a QUIT. */
  onModuleDestroy(): void {
    this.client.disconnect();
    this.subscription?.disconnect();
  }
}
