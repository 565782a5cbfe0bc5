import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

/** How often a process with caches reads the stamps, and how long one read vouches for its caches. */
export const STAMPS_READ_EVERY_MS = 250;
export const STAMPS_TRUSTED_FOR_MS = 700;

interface StampDocument {
  _id: string;
  stamp: string;
  at: Date;
}

const documentId = (channel: string) => `missed-announcement:${channel}`;

/**
 * The way round Redis for an invalidation that could not be announced on it. A replica that cannot
 * publish (its connection to Redis is down or stalled while the others' are fine) writes a new stamp
 * for the channel into `system_state`, on the database every process shares; every process that
 * caches for the channel reads the stamps every `STAMPS_READ_EVERY_MS` and drops its whole cache when
 * one changed. A cache is trusted only while a read of the stamps started less than
 * `STAMPS_TRUSTED_FOR_MS` ago, so a revocation reaches every replica within a second even when its
 * announcement failed (the contract's bound). Raw driver access, because the stamps belong to no
 * tenant; the reads are `_id` lookups of a few small documents.
 */
@Injectable()
export class MissedAnnouncements implements OnApplicationShutdown {
  private readonly logger = new Logger(MissedAnnouncements.name);
  private readonly watchers = new Map<string, () => void>();
  private readonly seen = new Map<string, string | null>();
  private timer?: NodeJS.Timeout;
  private reading = false;
  /** When the last read that succeeded started (0: none yet). */
  private readStartedAt = 0;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Records that an announcement on `channel` may have been missed: every watcher drops its cache. */
  async record(channel: string): Promise<void> {
    await this.documents().updateOne(
      { _id: documentId(channel) },
      { $set: { stamp: randomUUID(), at: new Date() } },
      { upsert: true },
    );
  }

  /** Calls `missed` whenever the channel's stamp changes; reading starts with the first watcher. */
  watch(channel: string, missed: () => void): void {
    this.watchers.set(channel, missed);
    // Not awaited: `read` logs its own failure, and an unread stamp leaves the caches bypassed.
    this.timer ??= setInterval(() => void this.read(), STAMPS_READ_EVERY_MS).unref();
    void this.read();
  }

  unwatch(channel: string): void {
    this.watchers.delete(channel);
    this.seen.delete(channel);
    if (this.watchers.size === 0) this.stop();
  }

  /** Whether a read of the stamps vouches for the caches right now. */
  isFresh(): boolean {
    return Date.now() - this.readStartedAt <= STAMPS_TRUSTED_FOR_MS;
  }

  /** Reads every watched stamp once; a stamp that changed since the last read drops its channel's cache. */
  async read(): Promise<void> {
    if (this.reading || this.watchers.size === 0) return;
    this.reading = true;
    const startedAt = Date.now();
    try {
      const channels = [...this.watchers.keys()];
      const found = await this.documents()
        .find({ _id: { $in: channels.map(documentId) } })
        .toArray();
      for (const channel of channels) {
        const stamp = found.find((document) => document._id === documentId(channel))?.stamp ?? null;
        const before = this.seen.get(channel);
        this.seen.set(channel, stamp);
        if (before !== undefined && before !== stamp) this.watchers.get(channel)?.();
      }
      this.readStartedAt = startedAt;
    } catch (error) {
      this.logger.debug({ msg: 'missed announcements unreadable; caches are bypassed', err: String(error) });
    } finally {
      this.reading = false;
    }
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private documents() {
    return this.connection.collection<StampDocument>('system_state');
  }
}
