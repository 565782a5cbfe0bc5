import { HttpException, HttpStatus } from '@nestjs/common';
import { isDuplicateKeyError, isStoreBusyError, isStoreUnreachableError } from '../database/mongo-values.js';
import type { ErrorBody, ErrorDetail } from './api-error.js';
import { ErrorCode, errorCodeForStatus } from './error-codes.js';

/** Errors raised by Fastify itself before a route handler runs, by their `code`. */
const fastifyErrors: Record<string, { status: number; error: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    error: ErrorCode.InvalidJson,
    message: 'Request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: ErrorCode.InvalidJson, message: 'Request body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: ErrorCode.PayloadTooLarge, message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    error: ErrorCode.UnsupportedMediaType,
    message: 'Unsupported Content-Type',
  },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 415,
    error: ErrorCode.UnsupportedMediaType,
    message: 'Send the file as multipart/form-data',
  },
  FST_FILES_LIMIT: { status: 413, error: ErrorCode.PayloadTooLarge, message: 'Send one file per request' },
  FST_PARTS_LIMIT: { status: 413, error: ErrorCode.PayloadTooLarge, message: 'Send one file per request' },
  FST_FIELDS_LIMIT: { status: 400, error: ErrorCode.ValidationFailed, message: 'Send only the file field' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    error: ErrorCode.BadRequest,
    message: 'Content-Length does not match the body',
  },
};

/** The answer while MongoDB is unreachable, whether a request ran into it or was refused up front. */
export const STORE_UNAVAILABLE_BODY: Readonly<ErrorBody> = {
  statusCode: HttpStatus.SERVICE_UNAVAILABLE,
  error: ErrorCode.ServiceUnavailable,
  message: 'The database is unavailable; try again shortly',
};

/** Maps anything thrown while serving a request to the contract's error body. */
export function toErrorBody(exception: unknown): ErrorBody {
  // Nest wraps Fastify's own 4xx errors in an HttpException and keeps the original as `cause`.
  const fastifyError = exception instanceof HttpException ? exception.cause : exception;
  const { code, statusCode } = (fastifyError ?? {}) as { code?: unknown; statusCode?: unknown };
  const known = typeof code === 'string' ? fastifyErrors[code] : undefined;
  if (known) return { statusCode: known.status, error: known.error, message: known.message };
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isDuplicateKeyError(exception)) {
    // Says nothing of the conflicting value: it may belong to another tenant.
    return {
      statusCode: 409,
      error: ErrorCode.Conflict,
      message: 'A resource with the same unique value already exists',
    };
  }

  if (isStoreUnreachableError(exception)) {
    // Not the client's mistake, nor a bug: the same request works once the store is back.
    return { ...STORE_UNAVAILABLE_BODY };
  }
  if (isStoreBusyError(exception)) {
    // Reachable but overloaded: as above, the same request works once the load passes (never a 500).
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: ErrorCode.ServiceUnavailable,
      message: 'The database is busy; try again shortly',
    };
  }
  if (exception instanceof SyntaxError && statusCode === 400) {
    return { statusCode: 400, error: ErrorCode.InvalidJson, message: 'Request body is not valid JSON' };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = exception instanceof Error ? exception.message : 'Bad request';
    return { statusCode, error: errorCodeForStatus(statusCode), message };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: ErrorCode.InternalError,
    message: 'Internal server error',
  };
}

function fromHttpException(exception: HttpException): ErrorBody {
  const statusCode = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') {
    return { statusCode, error: errorCodeForStatus(statusCode), message: response };
  }
  const { error, message, details } = response as { error?: unknown; message?: unknown; details?: ErrorDetail[] };
  const body: ErrorBody = {
    statusCode,
    error: isMachineCode(error) ? error : errorCodeForStatus(statusCode),
    message: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message),
  };
  if (details?.length) body.details = details;
  return body;
}

/** Nest's built-in exceptions put a phrase such as "Not Found" in `error`; ours put a snake_case code. */
function isMachineCode(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z][a-z0-9_]*$/.test(value);
}
