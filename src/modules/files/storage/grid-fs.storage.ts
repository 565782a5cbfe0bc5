import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { TenantContext } from '../../../infrastructure/tenancy/tenant-context.js';
import { BlobChunk } from './blob-chunk.schema.js';
import { BLOB_CHUNK_BYTES, BlobFile } from './blob-file.schema.js';
import { BlobMissingError, FileStorage, FileTooLargeError, type StoredBlobKey } from './file-storage.js';

const KEY = /^([a-z0-9-]+)\/([0-9a-f]{24})$/;

const chunkId = (blobId: Types.ObjectId, n: number) => `${blobId.toHexString()}:${n}`;

/**
 * Bytes in MongoDB GridFS (bucket `blobs`), shared by every replica. Three walls keep a tenant's bytes
 * its own: both collections go through tenant-scoped models (the plugin adds the tenant to every
 * read, write and delete), a key must name the current tenant, and only the files module holds this.
 *
 * Writing streams: chunks of 255 KiB are inserted as they fill, the size limit is checked on every
 * piece the client sends, and the file document goes in last, so a reader never sees partial bytes.
 * Reading streams too, one chunk ahead. Chunks are reached by `_id` only (see `BlobChunk`).
 */
@Injectable()
export class GridFsStorage extends FileStorage {
  constructor(
    @InjectModel(BlobFile.name) private readonly files: Model<BlobFile>,
    @InjectModel(BlobChunk.name) private readonly chunks: Model<BlobChunk>,
  ) {
    super();
  }

  async write(key: string, content: Readable, maxBytes: number): Promise<number> {
    const id = this.blobIdOf(key);
    let length = 0;
    let chunkCount = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (bytes: Buffer) => {
      await this.chunks.create({ _id: chunkId(id, chunkCount), files_id: id, n: chunkCount, data: bytes });
      chunkCount += 1;
    };
    try {
      for await (const piece of content as AsyncIterable<Buffer | string>) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
        length += bytes.length;
        if (length > maxBytes) throw new FileTooLargeError(maxBytes);
        pending.push(bytes);
        pendingBytes += bytes.length;
        while (pendingBytes >= BLOB_CHUNK_BYTES) {
          const joined = Buffer.concat(pending);
          await flush(joined.subarray(0, BLOB_CHUNK_BYTES));
          pending = [joined.subarray(BLOB_CHUNK_BYTES)];
          pendingBytes = joined.length - BLOB_CHUNK_BYTES;
        }
      }
      if (pendingBytes > 0) await flush(Buffer.concat(pending));
      await this.files.create({ _id: id, length, chunkSize: BLOB_CHUNK_BYTES, uploadDate: new Date(), filename: key });
      return length;
    } catch (error) {
      content.destroy();
      await this.removeChunks(id, chunkCount);
      throw error;
    }
  }

  async open(key: string): Promise<Readable> {
    const id = this.blobIdOf(key);
    const file = await this.files.findOne({ _id: id }).lean<BlobFile>();
    if (!file) throw new BlobMissingError(key);
    const count = Math.ceil(file.length / file.chunkSize);
    const chunk = (n: number) => {
      const read = this.chunks
        .findOne({ _id: chunkId(id, n) }, { data: 1 })
        .lean<Pick<BlobChunk, 'data'>>()
        .then((found) => {
          if (!found) throw new Error(`GridFS blob ${key}: chunk ${n} of ${count} is missing`);
          return asBuffer(found.data);
        });
      // Read ahead: a client that hangs up before this chunk is awaited must not leave an unhandled rejection.
      read.catch(() => undefined);
      return read;
    };
    async function* bytes() {
      let next = count > 0 ? chunk(0) : undefined;
      for (let n = 0; next; n += 1) {
        const current = await next;
        next = n + 1 < count ? chunk(n + 1) : undefined;
        yield current;
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  /** The file document first: from that moment readers answer "missing", never partial bytes. */
  async remove(key: string): Promise<void> {
    const id = this.blobIdOf(key);
    const file = await this.files.findOneAndDelete({ _id: id }).lean<BlobFile>();
    if (file) await this.removeChunks(id, Math.ceil(file.length / file.chunkSize));
  }

  /** By the first chunk, whose `files_id` (an ObjectId) says when writing began; zero-byte blobs have none. */
  async startedBetween(from: Date, to: Date, after: string | null, limit: number): Promise<StoredBlobKey[]> {
    const idAt = (time: Date) => Types.ObjectId.createFromTime(Math.floor(time.getTime() / 1000));
    const lower = after ? { $gt: this.blobIdOf(after, false) } : { $gte: idAt(from) };
    const firstChunks = await this.chunks
      .find({ files_id: { ...lower, $lt: idAt(to) }, n: 0 }, { tenant_id: 1, files_id: 1 })
      .sort({ files_id: 1 })
      .limit(limit)
      .lean<Pick<BlobChunk, 'tenant_id' | 'files_id'>[]>();
    return firstChunks.map(({ tenant_id, files_id }) => ({ tenant_id, key: `${tenant_id}/${files_id.toHexString()}` }));
  }

  /** The file document, then chunk after chunk until one is not there (a half-written blob has no length). */
  async removeAbandoned(key: string): Promise<void> {
    const id = this.blobIdOf(key);
    await this.files.deleteOne({ _id: id });
    for (let n = 0; (await this.chunks.deleteOne({ _id: chunkId(id, n) })).deletedCount > 0; n += 1);
  }

  private async removeChunks(id: Types.ObjectId, count: number): Promise<void> {
    for (let n = 0; n < count; n += 1) await this.chunks.deleteOne({ _id: chunkId(id, n) });
  }

  /** `ofCurrentTenant: false` only for the sweep's keyset position, which spans tenants and reads nothing. */
  private blobIdOf(key: string, ofCurrentTenant = true): Types.ObjectId {
    const match = KEY.exec(key);
    // Keys are built from the tenant and an ObjectId; any other key, or another tenant's, is a bug.
    if (!match || (ofCurrentTenant && match[1] !== TenantContext.tenantId())) {
      throw new Error(`Refusing storage key ${JSON.stringify(key)}`);
    }
    return new Types.ObjectId(match[2]);
  }
}

/** A lean read gives BSON `Binary`; a hydrated one a Buffer. */
function asBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  const binary = data as { buffer: Uint8Array; position?: number };
  return Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, binary.position ?? binary.buffer.length);
}
