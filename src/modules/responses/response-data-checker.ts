import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { hasRole } from '../../infrastructure/auth/roles.js';
import { toObjectIds } from '../../infrastructure/database/mongo-values.js';
import { ApiError, type ErrorDetail } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { ResponseFilesService } from '../files/index.js';
import { type FormField, SubmissionTargetsService } from '../forms/index.js';

/** The files a response's data names, once validated; undefined when it names none. */
export type NamedFiles = Types.ObjectId[] | undefined;

/**
 * What every response's data passes before it is stored, submitted by a visitor or replaced by a
 * member: the form's rules for its fields, then the files it names.
 */
@Injectable()
export class ResponseDataChecker {
  constructor(
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly files: ResponseFilesService,
  ) {}

  /**
   * Checks the data against the fields, then runs `store` with the files it names. A file value must
   * name a file this form may use, as its sender may name it (`ResponseFilesService.usableIn`): a
   * sender whose role may upload files (editor and up) also the tenant's own uploads, anyone else (a
   * viewer, an anonymous visitor) only uploads to this form; never an export's file. Any other file
   * answers like a missing one. The check, marking the files used (so the sweep of unused uploads
   * leaves them) and `store` run while none of them can be erased (`ResponseFilesService.whileNamed`).
   */
  async withValidData<T>(
    formId: Types.ObjectId,
    fields: FormField[],
    data: Record<string, unknown>,
    store: (files: NamedFiles) => Promise<T>,
  ): Promise<T> {
    const { problems, fileIds } = this.submissionTargets.checkData(fields, data);
    const ids = fileIds.map((file) => file.id);
    if (!ids.length) {
      if (problems.length) throw ApiError.validation(problems);
      return store(undefined);
    }
    return this.files.whileNamed(ids, async () => {
      const unboundUploads = hasRole(TenantContext.actor()?.role ?? '', 'editor');
      const usable = await this.files.usableIn(formId, ids, unboundUploads);
      for (const file of fileIds) {
        if (!usable.has(file.id.toLowerCase()))
          problems.push({ field: file.field, message: 'is not a file of this tenant' });
      }
      if (problems.length) throw ApiError.validation(problems);
      await this.files.markUsed(formId, ids);
      return store(toObjectIds(ids));
    });
  }
}

/** A response's body is `{ data: { … } }` and nothing else (checked by hand: this is the hot path). */
export function submittedData(body: unknown): Record<string, unknown> {
  const problems: ErrorDetail[] = [];
  if (!isPlainObject(body)) throw ApiError.validation([{ field: 'body', message: 'must be a JSON object' }]);
  for (const key of Object.keys(body)) {
    if (key !== 'data') problems.push({ field: key, message: `property ${key} should not exist` });
  }
  if (!isPlainObject(body.data)) problems.push({ field: 'data', message: 'must be an object of field values' });
  if (problems.length) throw ApiError.validation(problems);
  return body.data as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
