import type { Readable } from 'node:stream';
import type { Multipart } from '@fastify/multipart';
import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import type { FormField } from '../forms/index.js';
import { type FormBodyEntries, MAX_FORM_BODY_KEY_LENGTH, MAX_FORM_BODY_VALUES } from './form-body-values.js';

/** An uploaded file part, handed over as a stream (never buffered); answers the stored file's id. */
export type StoreFilePart = (part: {
  field: string;
  filename: string;
  content_type: string;
  content: Readable;
}) => Promise<string>;

export interface MultipartReading {
  fields: FormField[];
  /** The text values together may not exceed the body limit JSON has (`BODY_LIMIT_BYTES`). */
  bodyLimitBytes: number;
  /** FILE_MAX_BYTES: the parser stops one byte past it, so the storage sees the file is too big (413). */
  maxFileBytes: number;
  storeFile: StoreFilePart;
}

/**
 * A multipart form body, read part by part with this request's own limits (the plugin's defaults
 * are an upload's: one file, nothing else): text values as the urlencoded body has them, and at most
 * one file per `file` field, stored as it streams in (`storeFile`), its value the file's id. An empty
 * file input (no file chosen) is absent. The caller erases the stored files if the submission fails.
 */
export async function readMultipartBody(request: FastifyRequest, reading: MultipartReading): Promise<FormBodyEntries> {
  const fileFields = new Set(reading.fields.filter((field) => field.type === 'file').map((field) => field.key));
  const entries = Object.create(null) as FormBodyEntries;
  let textBytes = 0;
  let count = 0;
  const parts = request.parts({
    limits: {
      fieldNameSize: MAX_FORM_BODY_KEY_LENGTH + 1,
      fieldSize: reading.bodyLimitBytes,
      fields: MAX_FORM_BODY_VALUES,
      files: Math.max(fileFields.size, 1),
      parts: MAX_FORM_BODY_VALUES + Math.max(fileFields.size, 1),
      fileSize: reading.maxFileBytes + 1,
    },
  });
  try {
    for await (const part of parts) {
      if (++count > MAX_FORM_BODY_VALUES) throw tooMany();
      if (
        part.fieldname.length > MAX_FORM_BODY_KEY_LENGTH ||
        ('fieldnameTruncated' in part && part.fieldnameTruncated)
      ) {
        throw ApiError.validation([
          { field: 'body', message: `has a key longer than ${MAX_FORM_BODY_KEY_LENGTH} characters` },
        ]);
      }
      if (part.type === 'field') {
        const value = String(part.value);
        textBytes += Buffer.byteLength(value) + part.fieldname.length;
        if (part.valueTruncated || textBytes > reading.bodyLimitBytes) throw tooLarge();
        (entries[part.fieldname] ??= []).push(value);
        continue;
      }
      await readFilePart(part, fileFields, entries, reading.storeFile);
    }
  } catch (error) {
    throw asClientError(error);
  }
  return entries;
}

async function readFilePart(
  part: Extract<Multipart, { type: 'file' }>,
  fileFields: ReadonlySet<string>,
  entries: FormBodyEntries,
  storeFile: StoreFilePart,
): Promise<void> {
  const key = part.fieldname;
  if (!part.filename) {
    // A file input left empty still sends a part, with no name and no bytes.
    part.file.resume();
    return;
  }
  if (!fileFields.has(key)) {
    part.file.resume();
    throw ApiError.validation([{ field: `data.${key}`, message: 'is not a file field of this form' }]);
  }
  if (entries[key]?.length) {
    part.file.resume();
    throw ApiError.validation([{ field: `data.${key}`, message: 'must be one file' }]);
  }
  const id = await storeFile({ field: key, filename: part.filename, content_type: part.mimetype, content: part.file });
  entries[key] = [id];
}

function tooMany(): ApiError {
  return ApiError.validation([{ field: 'body', message: `has more than ${MAX_FORM_BODY_VALUES} values` }]);
}

function tooLarge(): ApiError {
  return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.PayloadTooLarge, 'Request body is too large');
}

/**
 * The parser's own limits say what was exceeded in its words; here in the contract's. Anything else
 * it throws without a status (no boundary, a malformed header, a body ending mid-part) is the
 * client's broken body: 400. Errors with a status (ours, the storage's 413) pass as they are.
 */
function asClientError(error: unknown): unknown {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (error instanceof ApiError) return error;
  if (code === 'FST_FILES_LIMIT') {
    return ApiError.validation([{ field: 'body', message: 'has more files than the form has file fields' }]);
  }
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return tooMany();
  if (code === 'FST_REQ_FILE_TOO_LARGE') return error;
  if (typeof statusCode === 'number') return error;
  return ApiError.validation([{ field: 'body', message: 'the multipart body is malformed' }]);
}
