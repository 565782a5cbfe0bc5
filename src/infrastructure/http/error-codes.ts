import { HttpStatus } from '@nestjs/common';

/**
 * Every machine code an error body's `error` may carry (see the API contract): the one list that
 * services throw, tests assert and clients switch on. Compare codes, never HTTP statuses.
 */
export const ErrorCode = {
  BadRequest: 'bad_request',
  ValidationFailed: 'validation_failed',
  InvalidJson: 'invalid_json',
  InvalidToken: 'invalid_token',
  TenantRequired: 'tenant_required',
  Unauthorized: 'unauthorized',
  InvalidCredentials: 'invalid_credentials',
  Forbidden: 'forbidden',
  TenantMismatch: 'tenant_mismatch',
  TenantSuspended: 'tenant_suspended',
  /** A browser's form post from a page whose origin the tenant's `allowed_origins` does not hold. */
  OriginNotAllowed: 'origin_not_allowed',
  RegistrationClosed: 'registration_closed',
  QuotaExceeded: 'quota_exceeded',
  FeatureDisabled: 'feature_disabled',
  NotFound: 'not_found',
  TenantNotFound: 'tenant_not_found',
  MethodNotAllowed: 'method_not_allowed',
  NotAcceptable: 'not_acceptable',
  Conflict: 'conflict',
  LastOwner: 'last_owner',
  FormArchived: 'form_archived',
  FormNotPublished: 'form_not_published',
  ExportNotReady: 'export_not_ready',
  ExportExpired: 'export_expired',
  WebhookDisabled: 'webhook_disabled',
  Gone: 'gone',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  UnprocessableEntity: 'unprocessable_entity',
  RateLimited: 'rate_limited',
  InternalError: 'internal_error',
  ServiceUnavailable: 'service_unavailable',
  Maintenance: 'maintenance',
  NotReady: 'not_ready',
  ExportInProgress: 'export_in_progress',
  // A form's captcha: the token is missing or refused (400), or the provider could not say (503).
  CaptchaFailed: 'captcha_failed',
  CaptchaUnavailable: 'captcha_unavailable',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The code an HTTP status gets when the code that raised it did not name one. */
const codeByStatus: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.BadRequest,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.Unauthorized,
  [HttpStatus.FORBIDDEN]: ErrorCode.Forbidden,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.METHOD_NOT_ALLOWED]: ErrorCode.MethodNotAllowed,
  [HttpStatus.NOT_ACCEPTABLE]: ErrorCode.NotAcceptable,
  [HttpStatus.CONFLICT]: ErrorCode.Conflict,
  [HttpStatus.GONE]: ErrorCode.Gone,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PayloadTooLarge,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UnsupportedMediaType,
  [HttpStatus.UNPROCESSABLE_ENTITY]: ErrorCode.UnprocessableEntity,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RateLimited,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.ServiceUnavailable,
};

export function errorCodeForStatus(status: number): ErrorCode {
  return codeByStatus[status] ?? (status >= 500 ? ErrorCode.InternalError : ErrorCode.BadRequest);
}
