import type { Readable } from 'node:stream';

/**
 * Where file and export bytes live. The metadata stays in the `files` collection; a driver only
 * stores and returns bytes by key (`<tenant_id>/<file_id>`). Every API and worker replica must see
 * the same bytes, so a driver is a shared store (GridFS by default), never a process's local disk.
 */
export abstract class FileStorage {
  /**
   * Stores the stream's bytes under `key` completely or not at all; answers the byte count. More than
   * `maxBytes` bytes: nothing is kept and it rejects with `FileTooLargeError`, without reading further.
   */
  abstract write(key: string, content: Readable, maxBytes: number): Promise<number>;
  /** The bytes, streamed; rejects with `BlobMissingError` when the store has none under `key`. */
  abstract open(key: string): Promise<Readable>;
  abstract remove(key: string): Promise<void>;
  /**
   * Run in the system scope: blobs (complete or not) whose writing began in [from, to), every
   * tenant's, in key order after `after`; the housekeeping sweep checks each against its record.
   */
  abstract startedBetween(from: Date, to: Date, after: string | null, limit: number): Promise<StoredBlobKey[]>;
  /** Removes whatever is stored under `key`, a half-written blob included. */
  abstract removeAbandoned(key: string): Promise<void>;
}

export interface StoredBlobKey {
  tenant_id: string;
  key: string;
}

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`File larger than ${maxBytes} bytes`);
  }
}

/** A `files` record whose bytes the store does not have (lost, or never migrated from a local disk). */
export class BlobMissingError extends Error {
  constructor(readonly key: string) {
    super(`No stored bytes under ${key}`);
  }
}
