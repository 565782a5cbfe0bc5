import { HttpException, HttpStatus } from '@nestjs/common';

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

/** An HTTP error with the contract's stable machine code; throw it from services and guards. */
export class ApiError extends HttpException {
  /** Response headers that belong to the error (e.g. `Retry-After`). */
  readonly headers: Record<string, string> = {};

  constructor(status: HttpStatus, code: string, message: string, details?: ErrorDetail[]) {
    const body: ErrorBody = { statusCode: status, error: code, message };
    if (details?.length) body.details = details;
    super(body, status);
  }

  static validation(details: ErrorDetail[], message = 'Request validation failed'): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, 'validation_failed', message, details);
  }

  static notFound(what = 'Resource'): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, 'not_found', `${what} not found`);
  }

  static rateLimited(retryAfterSeconds: number): ApiError {
    const error = new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'rate_limited', 'Too many attempts, try again later');
    error.headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds) || 1));
    return error;
  }

  static unauthorized(message = 'Authentication required'): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, 'unauthorized', message);
  }
}
