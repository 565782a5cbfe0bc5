import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { SharedRedis } from '../redis/shared-redis.js';
import type { MissedAnnouncements } from './missed-announcements.js';

/** An announcement not accepted by Redis within this is treated as failed (a stalled connection). */
export const ANNOUNCE_TIMEOUT_MS = 200;
/** How often the subscription proves it still hears Redis, and how long one proof counts. */
export const HEARTBEAT_EVERY_MS = 250;
export const HEARD_TRUSTED_FOR_MS = 700;

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
 *
 * A cache that must follow changes within a bound (sessions: 1 s) also needs the two failures Redis
 * does not report to be caught:
 * - this replica's subscription may stall without closing (a half-open connection): it sends a PING
 *   every `HEARTBEAT_EVERY_MS` on the subscriber connection, and counts as live only while a PING sent
 *   less than `HEARD_TRUSTED_FOR_MS` ago was answered. Redis answers on that connection in order, so
 *   an answered PING means every message published before it was delivered;
 * - another replica's announcement may fail while this one's subscription is fine: a publish that
 *   fails or takes over `ANNOUNCE_TIMEOUT_MS` is recorded in the database (`MissedAnnouncements`),
 *   which every replica reads; a changed stamp drops the whole cache, and the cache is live only while
 *   those reads are recent.
 */
export class InvalidationChannel {
  private readonly logger = new Logger(InvalidationChannel.name);
  private readonly subscriber: Redis;
  private subscribed = false;
  private closed = false;
  private heartbeat?: NodeJS.Timeout;
  /** When the latest answered PING was sent (0: none yet). */
  private heardAt = 0;
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
    private readonly missed: MissedAnnouncements,
  ) {
    this.subscriber = redis.subscriber();
  }

  /** Starts listening without waiting: start-up never blocks on Redis; every (re)connection subscribes again. */
  start(): void {
    this.subscriber.on('message', this.onMessage);
    this.subscriber.on('close', this.onClose);
    this.subscriber.on('ready', this.onReady);
    this.missed.watch(this.channel, () => this.handlers.invalidateAll());
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_EVERY_MS).unref();
    if (this.subscriber.status === 'ready') {
      // Not awaited (start-up never blocks on Redis); `subscribe` logs its own failure.
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
      this.beat();
    } catch (error) {
      this.logger.debug({ msg: 'invalidation channel: subscribe failed', channel: this.channel, err: String(error) });
    }
  }

  /** Proves the subscription still hears Redis (see the class comment). */
  private beat(): void {
    if (!this.subscribed || this.subscriber.status !== 'ready') return;
    const sentAt = Date.now();
    this.subscriber.ping().then(
      () => {
        this.heardAt = Math.max(this.heardAt, sentAt);
      },
      // A failed ping is the news itself: `heardAt` stays old, so the channel soon stops counting as live.
      () => undefined,
    );
  }

  /** Whether every announcement, and every missed one, reaches this replica right now. */
  get isLive(): boolean {
    return (
      this.subscribed &&
      this.subscriber.status === 'ready' &&
      Date.now() - this.heardAt <= HEARD_TRUSTED_FOR_MS &&
      this.missed.isFresh()
    );
  }

  /**
   * Drops the key here at once, then tells the other replicas. When Redis does not take the
   * announcement within `ANNOUNCE_TIMEOUT_MS`, it is recorded as missed in the database instead, and
   * the others drop their whole cache; only when that fails too is the change not told (logged).
   */
  async announce(key: string): Promise<void> {
    this.handlers.invalidate(key);
    try {
      await withTimeout(this.redis.client.publish(this.channel, key), ANNOUNCE_TIMEOUT_MS);
      return;
    } catch (error) {
      this.logger.warn({
        msg: 'could not announce a change on Redis; recording it as missed in the database',
        channel: this.channel,
        err: String(error),
      });
    }
    try {
      await this.missed.record(this.channel);
    } catch (error) {
      this.logger.error({
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
    clearInterval(this.heartbeat);
    this.missed.unwatch(this.channel);
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('close', this.onClose);
    this.subscriber.off('ready', this.onReady);
  }
}

/** Rejects when `promise` has not settled within `ms` (the promise itself runs on). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}
