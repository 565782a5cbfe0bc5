import type { Readable } from 'node:stream';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { currentRequestIds } from '../../infrastructure/cls/request-ids.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { FilePurpose } from './file.schema.js';
import { type FileRecord, FilesRepository } from './files.repository.js';
import { KeptFiles, type KeptFilesFinder } from './kept-files.js';
import { BlobMissingError, FileStorage, FileTooLargeError } from './storage/file-storage.js';

export interface Upload {
  filename: string;
  content_type: string;
  content: Readable;
  /** The file has at most this many bytes (the request's Content-Length, when it sent one). */
  at_most_bytes?: number;
}

interface StoreOptions {
  maxBytes: number;
  formId: Types.ObjectId | null;
  purpose?: FilePurpose;
}

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

/**
 * A tenant's files, record and bytes (`FileStorage`): members' uploads, export files, downloads, and
 * the erasure of one file. Anonymous uploads to a form are `PublicUploadsService`'s, the files
 * responses name `ResponseFilesService`'s, the erasure of many files `FileErasureService`'s.
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);
  private readonly maxBytes: number;

  constructor(
    private readonly files: FilesRepository,
    private readonly storage: FileStorage,
    private readonly keptFiles: KeptFiles,
    config: AppConfigService,
  ) {
    this.maxBytes = config.files.maxBytes;
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
    this.keptFiles.register(finder);
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
        uploaded_by: TenantContext.actor()?.user_id ?? undefined,
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

  /** Erases a file of the current tenant (record, then bytes); false when there is none. */
  async erase(id: Types.ObjectId): Promise<boolean> {
    const removed = await this.files.delete(id);
    if (removed) await this.storage.remove(removed.storage_key);
    return removed !== null;
  }
}
