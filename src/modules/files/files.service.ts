import type { Readable } from 'node:stream';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { currentRequestIds } from '../../infrastructure/cls/request-ids.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { Types } from 'mongoose';
import { drainInBatches } from '../../infrastructure/database/drain-in-batches.js';
import { toObjectIds } from '../../infrastructure/database/mongo-values.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { DailyByteAllowance } from '../../infrastructure/rate-limit/daily-byte-allowance.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { sweepAcrossTenants } from '../../infrastructure/tenancy/sweep-across-tenants.js';
import { type FileRecord, FilesRepository } from './files.repository.js';
import { FormsService } from '../forms/forms.service.js';
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

  constructor(
    private readonly files: FilesRepository,
    private readonly storage: FileStorage,
    private readonly forms: FormsService,
    private readonly allowance: DailyByteAllowance,
    config: AppConfigService,
  ) {
    this.maxBytes = config.files.maxBytes;
    this.publicBytesPerDay = config.publicUploadBytesPerTenantPerDay;
  }

  /**
   * Bytes first, metadata second: a crash leaves an orphan blob at worst, never a record without bytes.
   * `maxBytes` defaults to FILE_MAX_BYTES, the limit of client uploads, enforced while streaming.
   */
  async upload(upload: Upload, maxBytes = this.maxBytes, formId: Types.ObjectId | null = null): Promise<FileRecord> {
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
    const form = await this.forms.publishedForm(formId);
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
   * Which of `ids` (hex) a response to `formId` may name. An anonymous submission (no token) may name
   * only files uploaded to that very form: never a member's upload or an export, which the erasure of
   * that response (spam, say) would otherwise take with it. A member (a token) may also name the
   * tenant's files bound to no form, as members always could; never another form's uploads.
   */
  async usableIn(formId: Types.ObjectId, ids: string[], namedBy: 'member' | 'anonymous'): Promise<Set<string>> {
    const valid = toObjectIds(ids);
    return valid.length ? this.files.usableIn(formId, valid, namedBy === 'member') : new Set();
  }

  /** Called before the response that names them is stored: a used upload is never swept. */
  async markUsed(formId: Types.ObjectId, ids: string[]): Promise<void> {
    const valid = toObjectIds(ids);
    if (valid.length) await this.files.markUsed(formId, valid);
  }

  /**
   * Erases those of a deleted response's files that `namedElsewhere` says no other response names
   * (asked with the form an anonymous upload is bound to, null for a member's upload).
   */
  async eraseUnlessNamed(
    ids: Types.ObjectId[],
    namedElsewhere: (fileId: Types.ObjectId, formId: Types.ObjectId | null) => Promise<boolean>,
  ): Promise<number> {
    let erased = 0;
    for (const file of await this.files.findMany(ids)) {
      if (!(await namedElsewhere(file._id, file.form_id ?? null)) && (await this.erase(file._id))) erased += 1;
    }
    return erased;
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
        if (!(await this.files.deleteIfUnused(file._id))) return false;
        await this.storage.remove(file.storage_key);
        return true;
      },
    });
  }
}
