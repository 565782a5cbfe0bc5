import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { toObjectIds } from '../../infrastructure/database/mongo-values.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { fileLockKey } from './file-locks.js';
import { FilesRepository } from './files.repository.js';
import { KeptFiles } from './kept-files.js';
import { FileStorage } from './storage/file-storage.js';

/**
 * The files responses name: which a response may name, marking them used, and erasing them once no
 * response names them. Naming and erasing take the file's lock (file-locks.ts), so a file is never
 * erased between a request's check and its write.
 */
@Injectable()
export class ResponseFilesService {
  constructor(
    private readonly files: FilesRepository,
    private readonly storage: FileStorage,
    private readonly keptFiles: KeptFiles,
    private readonly lock: StoreLock,
  ) {}

  /**
   * Which of `ids` (hex) a response to `formId` may name. Never a file kept for something else (an
   * export's), which the erasure of that response would otherwise take with it, nor another form's
   * uploads. Uploads to that very form, always; the tenant's uploads bound to no form (members',
   * through `POST /files`) only with `unboundUploads`: for a sender whose role may upload files
   * (editor and up), not for a viewer or an anonymous visitor. Any other file is answered like a
   * missing one by the caller.
   */
  async usableIn(formId: Types.ObjectId, ids: string[], unboundUploads: boolean): Promise<Set<string>> {
    const valid = toObjectIds(ids);
    const found = valid.length ? await this.files.usableIn(formId, valid, unboundUploads) : [];
    const kept = await this.keptFiles.among(found);
    return new Set(found.filter((file) => !kept.has(file._id.toHexString())).map((file) => file._id.toHexString()));
  }

  /** Called before the response that names them is stored: a used upload is never swept. */
  async markUsed(formId: Types.ObjectId, ids: string[]): Promise<void> {
    const valid = toObjectIds(ids);
    if (valid.length) await this.files.markUsed(formId, valid);
  }

  /**
   * Runs `work` (checking that files may be named, then storing what names them) while none of
   * these files (hex ids; invalid ones are left out) can be erased: the erasures take the same
   * per-file store lock around their "is it named?" check and the deletion (`eraseUnlessNamed`, the
   * sweep of unused uploads), so a file is never erased between a request's check and its write.
   * Locks are taken in id order, so two requests naming the same files cannot wait on each other.
   * Held past the wait: `503`, to retry.
   */
  async whileNamed<T>(ids: string[], work: () => Promise<T>): Promise<T> {
    const keys = [...new Set(toObjectIds(ids).map((id) => id.toHexString()))].sort();
    const locked = keys.reduceRight<() => Promise<T>>(
      (inner, key) => () => this.lock.withLock(fileLockKey(key), inner),
      work,
    );
    try {
      return await locked();
    } catch (error) {
      if (error instanceof LockBusyError) throw ApiError.unavailable('A file is being erased; retry shortly');
      throw error;
    }
  }

  /**
   * Erases those of a deleted response's files that `namedElsewhere` says no other response names
   * (asked with the form an anonymous upload is bound to, null for a member's upload). A file kept
   * for something else (an export's, which an older release let a response name) is never erased
   * here. Each check and its deletion run under the file's lock (see `whileNamed`).
   */
  async eraseUnlessNamed(
    ids: Types.ObjectId[],
    namedElsewhere: (fileId: Types.ObjectId, formId: Types.ObjectId | null) => Promise<boolean>,
  ): Promise<number> {
    const found = await this.files.findMany(ids);
    const kept = await this.keptFiles.among(found);
    let erased = 0;
    for (const file of found) {
      if (kept.has(file._id.toHexString())) continue;
      const removed = await this.lock.withLock(fileLockKey(file._id.toHexString()), async () =>
        (await namedElsewhere(file._id, file.form_id ?? null)) ? null : this.files.delete(file._id),
      );
      if (!removed) continue;
      await this.storage.remove(removed.storage_key);
      erased += 1;
    }
    return erased;
  }
}
