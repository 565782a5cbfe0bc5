import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from './mongo-values.js';

export class LockBusyError extends Error {
  constructor(readonly key: string) {
    super(`The lock '${key}' is held by another process`);
  }
}

interface LockDocument {
  _id: string;
  holder: string;
  expires_at: Date;
}

export interface LockOptions {
  /** A holder that crashed is taken over after this long. */
  leaseMs?: number;
  /** How long to keep trying before giving up with `LockBusyError`. */
  waitMs?: number;
}

/**
 * A lock shared by every process on the store, for rules that read several documents and then write
 * one (write skew: "is there another owner?"). Without transactions and with the local store's
 * non-atomic updates, the one primitive both stores make atomic is an insert against a unique index:
 * taking the lock inserts a document under the key, releasing it deletes it.
 */
@Injectable()
export class StoreLock {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  async withLock<T>(key: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const { leaseMs = 30_000, waitMs = 5_000 } = options;
    const holder = randomUUID();
    await this.acquire(key, holder, leaseMs, Date.now() + waitMs);
    try {
      return await work();
    } finally {
      await this.locks().deleteOne({ _id: key, holder });
    }
  }

  private async acquire(key: string, holder: string, leaseMs: number, deadline: number): Promise<void> {
    for (let delayMs = 5; ; delayMs = Math.min(delayMs * 2, 100)) {
      try {
        await this.locks().insertOne({ _id: key, holder, expires_at: new Date(Date.now() + leaseMs) });
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      // A lease past its end belongs to a process that died holding it.
      await this.locks().deleteOne({ _id: key, expires_at: { $lt: new Date() } });
      if (Date.now() >= deadline) throw new LockBusyError(key);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  private locks() {
    return this.connection.collection<LockDocument>('locks');
  }
}
