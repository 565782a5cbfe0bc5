import { Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics } from '../metrics/metrics.js';
import { SharedRedis } from './shared-redis.js';

/** A PING slower than this counts as Redis being down: a scrape must not wait on it. */
const PING_TIMEOUT_MS = 1_000;

/**
 * The process's own view of Redis for Prometheus: `redis_up` is 1 when a PING on the shared
 * fail-fast connection answers within a second at scrape time, else 0. Every API and worker replica
 * reports it, so the alert rules see Redis as the application does (the plan's figure: Redis
 * available more than 99.9 % of the time), without a separate exporter.
 */
@Injectable()
export class RedisProbe implements OnModuleInit {
  constructor(
    private readonly redis: SharedRedis,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.source('redis_up', async () => [{ labels: {}, value: (await this.answers()) ? 1 : 0 }]);
  }

  /** Whether Redis answers a PING now; false at once while the connection is down (fail-fast). */
  async answers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)));
    const ping = this.redis.client.ping().then(
      (answer) => answer === 'PONG',
      () => false,
    );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
