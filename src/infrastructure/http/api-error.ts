import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-codes.js';

/** One problem with one input field, as reported in an error body's `details`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** The body of every 4xx/5xx answer (see the API contract). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: ErrorDetail[];
}

/**
 * An HTTP error with the contract's stable machine code; throw it from services and guards. The
 * factories below cover the codes used in many places; a code that belongs to one rule (e.g.
 * `form_archived`) is thrown with `new ApiError(status, ErrorCode.…, message)` where the rule lives.
 */
export class ApiError extends HttpException {
  /** Response headers that belong to the error (e.g. `Retry-After`). */
  readonly headers: Record<string, string> = {};

  constructor(
    status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
    details?: ErrorDetail[],
  ) {
    const body: ErrorBody = { statusCode: status, error: code, message };
    if (details?.length) body.details = details;
    super(body, status);
  }

  /** True when `error` is an ApiError with this code. */
  static is(error: unknown, code: ErrorCode): error is ApiError {
    return error instanceof ApiError && error.code === code;
  }

  static validation(details: ErrorDetail[], message = 'Request validation failed'): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, ErrorCode.ValidationFailed, message, details);
  }

  static unauthorized(message = 'Authentication required'): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, ErrorCode.Unauthorized, message);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(HttpStatus.FORBIDDEN, ErrorCode.Forbidden, message);
  }

  static quotaExceeded(message: string): ApiError {
    return new ApiError(HttpStatus.FORBIDDEN, ErrorCode.QuotaExceeded, message);
  }

  static notFound(what = 'Resource'): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `${what} not found`);
  }

  /** A bad, used, revoked or expired single-use token (invitation, password reset). */
  static invalidToken(message: string): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, ErrorCode.InvalidToken, message);
  }

  static conflict(message: string): ApiError {
    return new ApiError(HttpStatus.CONFLICT, ErrorCode.Conflict, message);
  }

  static rateLimited(retryAfterSeconds: number): ApiError {
    const error = new ApiError(
      HttpStatus.TOO_MANY_REQUESTS,
      ErrorCode.RateLimited,
      'Too many attempts, try again later',
    );
    error.headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds) || 1));
    return error;
  }

  /** A store the request needs is down: the client may retry shortly. */
  static unavailable(message: string): ApiError {
    return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.ServiceUnavailable, message);
  }
}
