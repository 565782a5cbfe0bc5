import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

export interface InvalidationHandlers {
  /** A key changed somewhere (this process included): drop it. */
  invalidate(key: string): void;
  /** Announcements may have been missed (the subscription was down): drop everything. */
  invalidateAll(): void;
}

/**
 * Tells every replica that a cached entry changed, over a Redis pub/sub channel. While the
 * subscription is down a replica cannot hear announcements: `isLive` says so, and when it comes back
 * everything cached is dropped, since what was announced in between is lost.
 */
export class InvalidationChannel {
  private readonly logger = new Logger(InvalidationChannel.name);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private subscribed = false;
  private closed = false;

  constructor(
    redisUrl: string,
    private readonly channel: string,
    private readonly handlers: InvalidationHandlers,
  ) {
    this.publisher = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.subscriber = new Redis(redisUrl, {
      lazyConnect: true,
      autoResubscribe: false,
      retryStrategy: () => 500,
    });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error) =>
        this.logger.debug({ msg: 'invalidation channel: redis error', channel, err: error.message }),
      );
    }
  }

  /** Starts listening without waiting: start-up never blocks on Redis; every (re)connection subscribes again. */
  start(): void {
    this.subscriber.on('message', (_channel, key: string) => this.handlers.invalidate(key));
    this.subscriber.on('close', () => {
      this.subscribed = false;
    });
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.connect().catch((error: Error) => {
      // A process that stops before Redis answered (a short CLI command) has nothing to warn about.
      if (this.closed) return;
      this.logger.warn({ msg: 'invalidation channel not subscribed yet', channel: this.channel, err: error.message });
    });
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.subscribed = true;
      this.handlers.invalidateAll();
    } catch (error) {
      this.logger.debug({ msg: 'invalidation channel: subscribe failed', channel: this.channel, err: String(error) });
    }
  }

  /** Whether announcements reach this replica right now. */
  get isLive(): boolean {
    return this.subscribed && this.subscriber.status === 'ready';
  }

  /** Drops the key here at once, then tells the other replicas; a failure to tell them is logged. */
  async announce(key: string): Promise<void> {
    this.handlers.invalidate(key);
    try {
      if (this.publisher.status === 'wait') await this.publisher.connect();
      await this.publisher.publish(this.channel, key);
    } catch (error) {
      this.logger.warn({
        msg: 'could not announce a change to other replicas',
        channel: this.channel,
        err: String(error),
      });
    }
  }

  close(): void {
    this.closed = true;
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
