import type { Readable } from 'node:stream';
import { HttpStatus, Injectable } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { Types } from 'mongoose';
import { toObjectIds } from '../../infrastructure/database/mongo-values.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { type FileRecord, FilesRepository } from './files.repository.js';
import { FileStorage, FileTooLargeError } from './storage/file-storage.js';

export interface Upload {
  filename: string;
  content_type: string;
  content: Readable;
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
  private readonly maxBytes: number;

  constructor(
    private readonly files: FilesRepository,
    private readonly storage: FileStorage,
    config: AppConfigService,
  ) {
    this.maxBytes = config.files.maxBytes;
  }

  /** Bytes first, metadata second: a crash leaves an orphan blob at worst, never a record without bytes. */
  /** `maxBytes` defaults to FILE_MAX_BYTES, the limit of client uploads. */
  async upload(upload: Upload, maxBytes = this.maxBytes): Promise<FileRecord> {
    const id = new Types.ObjectId();
    const storageKey = `${TenantContext.tenantId()}/${id.toHexString()}`;
    const size = await this.storage.write(storageKey, upload.content, maxBytes).catch((error: unknown) => {
      if (!(error instanceof FileTooLargeError)) throw error;
      throw new ApiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ErrorCode.PayloadTooLarge,
        `Files may be at most ${error.maxBytes} bytes`,
      );
    });
    try {
      return await this.files.create({
        _id: id,
        filename: cleanFilename(upload.filename),
        content_type: upload.content_type || 'application/octet-stream',
        size,
        storage_key: storageKey,
        uploaded_by: TenantContext.actor()?.user_id,
      });
    } catch (error) {
      await this.storage.remove(storageKey);
      throw error;
    }
  }

  async open(id: Types.ObjectId): Promise<{ file: FileRecord; content: Readable }> {
    const file = await this.files.findById(id);
    if (!file) throw ApiError.notFound('File');
    return { file, content: this.storage.read(file.storage_key) };
  }

  /** Which of `ids` (hex) are files of the current tenant. */
  async existing(ids: string[]): Promise<Set<string>> {
    const valid = toObjectIds(ids);
    return valid.length ? this.files.existingIds(valid) : new Set();
  }
}
