import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../infrastructure/http/api-error.js';
import type { Upload } from './files.service.js';

/** The one multipart part an upload carries, as a stream (never buffered): its field must be `file`. */
export async function uploadedPart(request: FastifyRequest): Promise<Upload> {
  const part = await firstPart(request);
  if (!part || part.fieldname !== 'file') {
    throw ApiError.validation([{ field: 'file', message: 'send the file in a multipart field named "file"' }]);
  }
  // The whole body's length bounds the file's: the HTTP parser never reads past a Content-Length.
  const bodyBytes = Number(request.headers['content-length']);
  return {
    filename: part.filename,
    content_type: part.mimetype,
    content: part.file,
    ...(Number.isSafeInteger(bodyBytes) && bodyBytes >= 0 ? { at_most_bytes: bodyBytes } : {}),
  };
}

/**
 * The multipart parser's own limits come with a status (413 and the like); anything else it throws
 * (no boundary, a malformed header, the body ending mid-part) is the client's broken body: a 400.
 */
async function firstPart(request: FastifyRequest): ReturnType<FastifyRequest['file']> {
  try {
    return await request.file();
  } catch (error) {
    if (typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
    throw ApiError.validation([{ field: 'file', message: 'the multipart body is malformed' }]);
  }
}
