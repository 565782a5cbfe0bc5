import type { Readable } from 'node:stream';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { currentRequestIds } from '../../infrastructure/cls/request-ids.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { Types } from 'mongoose';
import { drainInBatches } from '../../infrastructure/database/drain-in-batches.js';
import { toObjectIds } from '../../infrastructure/database/mongo-values.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { DailyByteAllowance } from '../../infrastructure/rate-limit/daily-byte-allowance.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { sweepAcrossTenants } from '../../infrastructure/tenancy/sweep-across-tenants.js';
import type { FilePurpose } from './file.schema.js';
import { type FileRecord, FilesRepository, type NamedFile } from './files.repository.js';
import { SubmissionTargetsService } from '../forms/submission-targets.service.js';
import { meteredUpload } from './metered-upload.js';
import { BlobMissingError, FileStorage, FileTooLargeError, type StoredBlobKey } from './storage/file-storage.js';

const UNUSED_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Bytes written this long ago without a record are abandoned: no upload or export takes an hour. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;
/** How far back the sweep looks: a day, so that missed hourly runs are caught up. */
const ABANDONED_LOOKBACK_MS = 25 * 60 * 60 * 1000;

export interface Upload {
  filename: string;
  content_type: string;
  content: Readable;
  /** The file has at most this many bytes (the request's Content-Length, when it sent one). */
  at_most_bytes?: number;
}

/**
 * Finds, among `ids`, files another feature keeps for itself without `purpose` on their record (an
 * export's CSV written before exports marked theirs).
 */
export type KeptFilesFinder = (ids: Types.ObjectId[]) => Promise<Types.ObjectId[]>;

interface StoreOptions {
  maxBytes: number;
  formId: Types.ObjectId | null;
  purpose?: FilePurpose;
}

/** The name of anonymous uploads' byte allowance, per tenant per day (in its Redis key and logs). */
const PUBLIC_UPLOAD_BYTES = 'public-upload-bytes';

function fileTooLarge(limit: number): ApiError {
  return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.PayloadTooLarge, `Files may be at most ${limit} bytes`);
}

/** Control characters and path separators never reach a header or a disk path. */
function cleanFilename(name: string): string {
  const cleaned = [...name]
    .map((char) => (char < ' ' || char === '\u007f' || char === '/' || char === '\\' ? '_' : char))
    .join('')
    .trim()
    .slice(0, 255);
  return cleaned || 'file';
}

@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);
  private readonly maxBytes: number;
  private readonly publicBytesPerDay: number;
  private readonly keptFilesFinders: KeptFilesFinder[] = [];

  constructor(
    private readonly files: FilesRepository,
    private readonly storage: FileStorage,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly allowance: DailyByteAllowance,
    private readonly lock: StoreLock,
    config: AppConfigService,
  ) {
    this.maxBytes = config.files.maxBytes;
    this.publicBytesPerDay = config.publicUploadBytesPerTenantPerDay;
  }

  /**
   * Bytes first, metadata second: a crash leaves an orphan blob at worst, never a record without bytes.
   * `maxBytes` defaults to FILE_MAX_BYTES, the limit of client uploads, enforced while streaming.
   */
  upload(upload: Upload, maxBytes = this.maxBytes, formId: Types.ObjectId | null = null): Promise<FileRecord> {
    return this.store(upload, { maxBytes, formId });
  }

  /**
   * An export's file (any size): marked `purpose: 'export'`, so no response may name it and no
   * response's erasure takes it; its export erases it.
   */
  writeExport(upload: Upload): Promise<FileRecord> {
    return this.store(upload, {
      maxBytes: Number.MAX_SAFE_INTEGER,
      formId: null,
      purpose: 'export',
    });
  }

  /**
   * Lets a feature name the files it keeps that carry no `purpose` (exports written before it
   * existed): they are refused and kept like marked ones. Called by that feature at start-up.
   */
  registerKeptFiles(finder: KeptFilesFinder): void {
    this.keptFilesFinders.push(finder);
  }

  private async store(upload: Upload, { maxBytes, formId, purpose }: StoreOptions): Promise<FileRecord> {
    const id = new Types.ObjectId();
    const storageKey = `${TenantContext.tenantId()}/${id.toHexString()}`;
    const size = await this.storage.write(storageKey, upload.content, maxBytes).catch((error: unknown) => {
      throw error instanceof FileTooLargeError ? fileTooLarge(error.maxBytes) : error;
    });
    try {
      return await this.files.create({
        _id: id,
        filename: cleanFilename(upload.filename),
        content_type: upload.content_type || 'application/octet-stream',
        size,
        storage_key: storageKey,
        uploaded_by: TenantContext.actor()?.user_id,
        form_id: formId,
        ...(purpose ? { purpose } : {}),
        used_at: null,
      });
    } catch (error) {
      await this.storage.remove(storageKey);
      throw error;
    }
  }

  /**
   * The record and its bytes. Bytes the store lacks answer 404 like a missing file (and are logged:
   * they were lost); a store failure after the answer began is logged with the request's id, since
   * the client only sees a cut connection.
   */
  async open(id: Types.ObjectId): Promise<{ file: FileRecord; content: Readable }> {
    const file = await this.files.findById(id);
    if (!file) throw ApiError.notFound('File');
    const content = await this.storage.open(file.storage_key).catch((error: unknown) => {
      if (!(error instanceof BlobMissingError)) throw error;
      this.logger.error({ msg: 'file bytes missing from storage', file_id: id.toHexString() });
      throw new ApiError(HttpStatus.NOT_FOUND, ErrorCode.NotFound, "The file's bytes are no longer stored");
    });
    // The stream fails after the request's context is gone: its ids are taken now.
    const ids = currentRequestIds();
    content.once('error', (error) => {
      this.logger.error({
        msg: 'file download failed while streaming',
        file_id: id.toHexString(),
        reqId: ids?.request_id,
        clientReqId: ids?.client_request_id,
        err: error,
      });
    });
    return { file, content };
  }

  /**
   * An anonymous visitor's upload for a published form with a `file` field: usable only in
   * submissions to that form, and erased after 24 h unless a response uses it. Its bytes come out of
   * the tenant's daily allowance (`PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY`), taken as they arrive, a
   * step ahead (`meteredUpload`): an upload holds what it has sent and at most 64 KiB more, never
   * FILE_MAX_BYTES for as long as it stays open. What was not stored is given back. Beyond it: `413`.
   */
  async uploadToForm(formId: Types.ObjectId, upload: Upload): Promise<FileRecord> {
    const form = await this.submissionTargets.publishedForm(formId);
    if (!form.fields.some((field) => field.type === 'file')) {
      throw ApiError.validation([{ field: 'file', message: 'this form has no file field' }]);
    }
    const reservation = this.allowance.open(PUBLIC_UPLOAD_BYTES, TenantContext.tenantId(), this.publicBytesPerDay);
    const allowanceUsedUp = () => {
      const error = new ApiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ErrorCode.PayloadTooLarge,
        "Today's allowance for anonymous uploads to this tenant is used up; try again tomorrow",
      );
      error.headers['retry-after'] = String(reservation.secondsUntilReset);
      return error;
    };
    // The request cannot carry more than its Content-Length: no step reaches past it.
    const ceiling = Math.min(this.maxBytes, upload.at_most_bytes ?? this.maxBytes);
    const content = meteredUpload(upload.content, reservation, { ceiling, maxBytes: this.maxBytes }, allowanceUsedUp);
    let stored = 0;
    try {
      const file = await this.upload({ ...upload, content }, this.maxBytes, formId);
      stored = file.size;
      return file;
    } finally {
      await reservation.settle(stored);
    }
  }

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
    const kept = await this.keptAmong(found);
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
      (inner, key) => () => this.lock.withLock(this.lockKey(key), inner),
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
    const kept = await this.keptAmong(found);
    let erased = 0;
    for (const file of found) {
      if (kept.has(file._id.toHexString())) continue;
      const removed = await this.lock.withLock(this.lockKey(file._id.toHexString()), async () =>
        (await namedElsewhere(file._id, file.form_id ?? null)) ? null : this.files.delete(file._id),
      );
      if (!removed) continue;
      await this.storage.remove(removed.storage_key);
      erased += 1;
    }
    return erased;
  }

  /** The files among `found` kept for something else: marked so, or claimed by a registered finder. */
  private async keptAmong(found: NamedFile[]): Promise<Set<string>> {
    const kept = new Set(found.filter((file) => file.purpose).map((file) => file._id.toHexString()));
    // Only a file bound to no form and unmarked may be an older export's.
    const unmarked = found.filter((file) => !file.purpose && !file.form_id).map((file) => file._id);
    if (unmarked.length) {
      for (const finder of this.keptFilesFinders) {
        for (const id of await finder(unmarked)) kept.add(id.toHexString());
      }
    }
    return kept;
  }

  private lockKey(fileId: string): string {
    return `files:${TenantContext.tenantId()}:${fileId}`;
  }

  /** Erases every anonymous upload to a form (a deleted form's), `batchSize` at a time. */
  eraseUploadsToForm(formId: Types.ObjectId, batchSize: number): Promise<number> {
    return this.eraseEach(() => this.files.idsUploadedTo(formId, batchSize));
  }

  /** Erases every file of the current tenant, bytes included (the tenant is being deleted). */
  eraseAllOfTenant(batchSize: number): Promise<number> {
    return this.eraseEach(() => this.files.ids(batchSize));
  }

  private eraseEach(nextBatch: () => Promise<Types.ObjectId[]>): Promise<number> {
    return drainInBatches(nextBatch, async (batch) => {
      let erased = 0;
      for (const id of batch) if (await this.erase(id)) erased += 1;
      return erased;
    });
  }

  /** Erases a file of the current tenant (record, then bytes); false when there is none. */
  async erase(id: Types.ObjectId): Promise<boolean> {
    const removed = await this.files.delete(id);
    if (removed) await this.storage.remove(removed.storage_key);
    return removed !== null;
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
        if (await this.files.findById(fileId)) return false;
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
      findBatch: (limit) => this.files.unusedUploads(cutoff, limit),
      eraseOne: async (file) => {
        // Under the file's lock: a submission naming it checks, marks it used and stores at once.
        const lockKey = this.lockKey(file._id.toHexString());
        if (!(await this.lock.withLock(lockKey, () => this.files.deleteIfUnused(file._id)))) return false;
        await this.storage.remove(file.storage_key);
        return true;
      },
    });
  }
}
