import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../infrastructure/http/api-error.js';
import type { Upload } from './files.service.js';

/** The one multipart part an upload carries, as a stream (never buffered): its field must be `file`. */
export async function uploadedPart(request: FastifyRequest): Promise<Upload> {
  const part = await request.file();
  if (!part || part.fieldname !== 'file') {
    throw ApiError.validation([{ field: 'file', message: 'send the file in a multipart field named "file"' }]);
  }
  return { filename: part.filename, content_type: part.mimetype, content: part.file };
}
