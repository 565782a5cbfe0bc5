import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';

/**
 * The origin of the page a form body was posted from: the `Origin` header, else the `Referer`'s
 * origin; undefined when the request has neither (not a browser: a server or a script may post).
 * A header that names no origin (`Origin: null` from a sandboxed frame, a malformed `Referer`) is
 * returned as it is, so that it matches no allowed origin.
 */
export function postingOrigin(headers: FastifyRequest['headers']): string | undefined {
  const origin = headers.origin?.trim();
  if (origin) return origin;
  const referer = headers.referer?.trim();
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return referer;
  }
}

/**
 * A browser's form post is a cross-site request no CORS preflight guards: it is accepted only from
 * the pages the tenant lets embed its forms (`allowed_origins`, any when it holds "*"), so another
 * site cannot make its visitors submit to this form. Otherwise `403 origin_not_allowed`.
 */
export function assertAllowedPostOrigin(headers: FastifyRequest['headers'], allowedOrigins: string[]): void {
  const origin = postingOrigin(headers);
  if (origin === undefined || allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return;
  throw new ApiError(
    HttpStatus.FORBIDDEN,
    ErrorCode.OriginNotAllowed,
    'This form does not accept posts from this page: its origin is not one of the allowed origins',
  );
}
