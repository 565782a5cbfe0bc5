import type { Readable } from 'node:stream';

/**
 * Where file bytes live. The metadata stays in the `files` collection; a driver only stores and
 * returns bytes by key, so an object-store driver can replace the local one without other changes.
 */
export abstract class FileStorage {
  /**
   * Stores the stream's bytes under `key` completely or not at all; answers the byte count. More than
   * `maxBytes` bytes: nothing is kept and it rejects with `FileTooLargeError`.
   */
  abstract write(key: string, content: Readable, maxBytes: number): Promise<number>;
  abstract read(key: string): Readable;
  abstract remove(key: string): Promise<void>;
}

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`File larger than ${maxBytes} bytes`);
  }
}
