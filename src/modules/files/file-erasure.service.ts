import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { drainInBatches } from '../../infrastructure/database/drain-in-batches.js';
import { StoreLock } from '../../infrastructure/database/store-lock.js';
import { sweepAcrossTenants } from '../../infrastructure/tenancy/sweep-across-tenants.js';
import { fileLockKey } from './file-locks.js';
import { FilesRepository } from './files.repository.js';
import { FilesService } from './files.service.js';
import { FileStorage, type StoredBlobKey } from './storage/file-storage.js';

const UNUSED_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Bytes written this long ago without a record are abandoned: no upload or export takes an hour. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;
/** How far back the sweep looks: a day, so that missed hourly runs are caught up. */
const ABANDONED_LOOKBACK_MS = 25 * 60 * 60 * 1000;

/**
 * Files erased many at a time: those of a deleted form or tenant (for the erasure module), and the
 * hourly sweeps (for housekeeping) of anonymous uploads no response used and of bytes no record names.
 * A response's own files go with it through `ResponseFilesService.eraseUnlessNamed`.
 */
@Injectable()
export class FileErasureService {
  constructor(
    private readonly records: FilesRepository,
    private readonly files: FilesService,
    private readonly storage: FileStorage,
    private readonly lock: StoreLock,
  ) {}

  /** Erases every anonymous upload to a form (a deleted form's), `batchSize` at a time. */
  eraseUploadsToForm(formId: Types.ObjectId, batchSize: number): Promise<number> {
    return this.eraseEach(() => this.records.idsUploadedTo(formId, batchSize));
  }

  /** Erases every file of the current tenant, bytes included (the tenant is being deleted). */
  eraseAllOfTenant(batchSize: number): Promise<number> {
    return this.eraseEach(() => this.records.ids(batchSize));
  }

  /**
   * Worker: erases bytes that no file record names, written 1 to 25 hours ago: an upload or export
   * that crashed between its bytes and its record, or an erasure between its record and its bytes.
   * Only the search spans tenants; each check and removal runs in the blob's tenant. Answers how many.
   */
  eraseAbandonedBytes(now = new Date()): Promise<number> {
    const from = new Date(now.getTime() - ABANDONED_LOOKBACK_MS);
    const to = new Date(now.getTime() - ABANDONED_AFTER_MS);
    return sweepAcrossTenants<StoredBlobKey>({
      reason: 'files: find bytes without a record',
      // Blobs with a record stay where they are: the search pages on by key.
      findBatch: (limit, last) => this.storage.startedBetween(from, to, last?.key ?? null, limit),
      eraseOne: async (blob) => {
        const fileId = new Types.ObjectId(blob.key.slice(blob.key.indexOf('/') + 1));
        if (await this.records.findById(fileId)) return false;
        await this.storage.removeAbandoned(blob.key);
        return true;
      },
    });
  }

  /**
   * Worker: erases anonymous uploads that no response used within `UNUSED_UPLOAD_TTL_MS`, tenant by
   * tenant (each deletion through the tenant-scoped model; only the search spans tenants). Batched;
   * answers how many were erased.
   */
  async eraseUnusedUploads(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - UNUSED_UPLOAD_TTL_MS);
    return sweepAcrossTenants({
      reason: 'files: find unused anonymous uploads',
      findBatch: (limit) => this.records.unusedUploads(cutoff, limit),
      eraseOne: async (file) => {
        // Under the file's lock: a submission naming it checks, marks it used and stores at once.
        const lockKey = fileLockKey(file._id.toHexString());
        if (!(await this.lock.withLock(lockKey, () => this.records.deleteIfUnused(file._id)))) return false;
        await this.storage.remove(file.storage_key);
        return true;
      },
    });
  }

  private eraseEach(nextBatch: () => Promise<Types.ObjectId[]>): Promise<number> {
    return drainInBatches(nextBatch, async (batch) => {
      let erased = 0;
      for (const id of batch) if (await this.files.erase(id)) erased += 1;
      return erased;
    });
  }
}
