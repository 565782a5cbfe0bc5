import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../../infrastructure/config/app-config.service.js';
import { FileStorage, FileTooLargeError } from './file-storage.js';

const SAFE_KEY = /^[a-z0-9-]+\/[0-9a-f]{24}$/;

/** Files under `FILE_STORAGE_DIR/<tenant_id>/<file_id>`, written to a temporary name and renamed when complete. */
@Injectable()
export class LocalDiskStorage extends FileStorage {
  private readonly root: string;

  constructor(config: AppConfigService) {
    super();
    this.root = resolve(config.files.storageDir);
  }

  async write(key: string, content: Readable, maxBytes: number): Promise<number> {
    const path = this.pathOf(key);
    const partial = `${path}.partial`;
    await mkdir(dirname(path), { recursive: true });
    let bytes = 0;
    const sizeLimit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > maxBytes ? new FileTooLargeError(maxBytes) : null, chunk);
      },
    });
    try {
      await pipeline(content, sizeLimit, createWriteStream(partial, { flags: 'wx' }));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return bytes;
  }

  read(key: string): Readable {
    return createReadStream(this.pathOf(key));
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    // Keys are built from a tenant slug and an ObjectId; anything else would be a path-traversal bug.
    if (!SAFE_KEY.test(key)) throw new Error(`Refusing storage key ${JSON.stringify(key)}`);
    return join(this.root, key);
  }
}
