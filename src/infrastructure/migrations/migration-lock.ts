import { hostname } from 'node:os';
import type { mongo } from 'mongoose';
import { isDuplicateKeyError } from '../database/mongo-values.js';

interface LockDocument {
  _id: 'migrations';
  holder: string;
  acquired_at: Date;
  heartbeat_at: Date;
}

export class MigrationLockBusyError extends Error {}

/** How often a runner proves it is alive; a lock whose heartbeat is older than the stale age is a dead runner's. */
const HEARTBEAT_MS = 5_000;

/**
 * Keeps a second runner out: one document in `migration_lock`, taken by an insert against the unique
 * `_id` (the one write both stores make atomic). The holder refreshes `heartbeat_at` while it runs; a
 * lock whose heartbeat is older than `staleAfterMs` belongs to a runner that died and can be taken
 * over with `--force`. A runner that finds its lock taken over stops at its next batch.
 */
export class MigrationLock {
  readonly holder = `${hostname()} pid ${process.pid} since ${new Date().toISOString()}`;
  private heartbeat?: NodeJS.Timeout;
  private lostTo?: string;

  constructor(
    private readonly db: mongo.Db,
    private readonly staleAfterMs: number,
  ) {}

  async acquire(force: boolean): Promise<void> {
    if (await this.insert()) return this.beat();
    const current = await this.documents().findOne({ _id: 'migrations' });
    if (!current) return this.acquire(force);
    const silentMs = Date.now() - current.heartbeat_at.getTime();
    const stale = silentMs > this.staleAfterMs;
    const held = `another migration runner holds the lock: ${current.holder} (last heartbeat ${Math.round(silentMs / 1000)} s ago)`;
    if (!stale) throw new MigrationLockBusyError(held);
    if (!force) {
      throw new MigrationLockBusyError(
        `${held}; it is older than ${this.staleAfterMs / 1000} s, so that runner is likely dead: rerun with --force to take it over`,
      );
    }
    // Only the exact lock we judged stale is removed: a runner that took it meanwhile keeps it.
    await this.documents().deleteOne({ _id: 'migrations', holder: current.holder, heartbeat_at: current.heartbeat_at });
    if (await this.insert()) return this.beat();
    throw new MigrationLockBusyError('another runner took the stale lock over first');
  }

  /** Throws when another runner took the lock over (`--force` after a long pause of this one). */
  assertHeld(): void {
    if (this.lostTo !== undefined)
      throw new MigrationLockBusyError(`the migration lock was taken over by ${this.lostTo}`);
  }

  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.documents().deleteOne({ _id: 'migrations', holder: this.holder });
  }

  private async insert(): Promise<boolean> {
    const now = new Date();
    try {
      await this.documents().insertOne({ _id: 'migrations', holder: this.holder, acquired_at: now, heartbeat_at: now });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  private beat(): void {
    this.heartbeat = setInterval(() => void this.refresh(), HEARTBEAT_MS).unref();
  }

  private async refresh(): Promise<void> {
    try {
      const { matchedCount } = await this.documents().updateOne(
        { _id: 'migrations', holder: this.holder },
        { $set: { heartbeat_at: new Date() } },
      );
      if (matchedCount === 0) {
        const current = await this.documents().findOne({ _id: 'migrations' });
        this.lostTo = current?.holder ?? 'nobody (the lock was removed)';
        clearInterval(this.heartbeat);
      }
    } catch {
      // A missed heartbeat only ages the lock; the next one catches up.
    }
  }

  private documents() {
    return this.db.collection<LockDocument>('migration_lock');
  }
}
