import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { SharedRedis } from '../redis/shared-redis.js';

export interface InvalidationHandlers {
  /** A key changed somewhere (this process included): drop it. */
  invalidate(key: string): void;
  /** Announcements may have been missed (the subscription was down): drop everything. */
  invalidateAll(): void;
}

/**
 * Tells every replica that a cached entry changed, over a Redis pub/sub channel. While the
 * subscription is down a replica cannot hear announcements: `isLive` says so, and when it comes back
 * everything cached is dropped, since what was announced in between is lost. Announcements go out on
 * the process's shared connection; every channel listens on its one subscriber connection.
 */
export class InvalidationChannel {
  private readonly logger = new Logger(InvalidationChannel.name);
  private readonly subscriber: Redis;
  private subscribed = false;
  private closed = false;
  private readonly onMessage = (channel: string, key: string) => {
    if (channel === this.channel) this.handlers.invalidate(key);
  };
  private readonly onClose = () => {
    this.subscribed = false;
  };
  private readonly onReady = () => void this.subscribe();

  constructor(
    private readonly redis: SharedRedis,
    private readonly channel: string,
    private readonly handlers: InvalidationHandlers,
  ) {
    this.subscriber = redis.subscriber();
  }

  /** Starts listening without waiting: start-up never blocks on Redis; every (re)connection subscribes again. */
  start(): void {
    this.subscriber.on('message', this.onMessage);
    this.subscriber.on('close', this.onClose);
    this.subscriber.on('ready', this.onReady);
    if (this.subscriber.status === 'ready') {
      void this.subscribe();
      return;
    }
    if (this.subscriber.status !== 'wait') return;
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
      await this.redis.client.publish(this.channel, key);
    } catch (error) {
      this.logger.warn({
        msg: 'could not announce a change to other replicas',
        channel: this.channel,
        err: String(error),
      });
    }
  }

  /** Stops listening; the connection itself belongs to `SharedRedis`, which closes it. */
  close(): void {
    this.closed = true;
    this.subscribed = false;
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('close', this.onClose);
    this.subscriber.off('ready', this.onReady);
  }
}
