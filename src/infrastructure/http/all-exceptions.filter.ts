import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isStoreBusyError, isStoreUnreachableError } from '../database/mongo-values.js';
import { ApiError, type ErrorBody } from './api-error.js';
import {
  type BrowserFormTargets,
  requestTenantId,
  wantsErrorPage,
  submittedFormId,
  withQueryParameter,
} from './browser-form-post.js';
import { STORE_UNAVAILABLE_BODY, toErrorBody } from './error-body.js';
import { errorPage, sendPage, sendSeeOther } from './html-pages.js';

/** The `Retry-After` of a 503 for a store that is down or busy. */
export const STORE_RETRY_AFTER_SECONDS = '5';

/** Gives every error the contract's body; 5xx are logged with their cause, never shown to clients. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  /**
   * `targets`: the forms' `error_url`s, for a browser's form posts (absent in contexts without forms).
   * `storeUnreachable`: whether the driver knows MongoDB is down; an error nobody classified that a
   * request met then is the outage's (a bulk write whose connection dropped), answered 503, not 500.
   */
  constructor(
    private readonly targets: BrowserFormTargets | null = null,
    private readonly storeUnreachable: () => boolean = () => false,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
    let body = toErrorBody(exception);
    const metOutage = body.statusCode === HttpStatus.INTERNAL_SERVER_ERROR && this.storeUnreachable();
    if (metOutage) body = { ...STORE_UNAVAILABLE_BODY };
    if (metOutage || isStoreUnreachableError(exception)) {
      // One short line per request while the store is down (its alert says the rest), and a hint to retry.
      this.logger.warn({ msg: 'database unreachable', err: (exception as Error).name });
      void reply.header('retry-after', STORE_RETRY_AFTER_SECONDS);
    } else if (isStoreBusyError(exception)) {
      // As short, for the same reason: under load there is one per request the store could not take.
      const { name, code } = exception as Error & { code?: unknown };
      this.logger.warn({ msg: 'database busy', err: name, code });
      void reply.header('retry-after', STORE_RETRY_AFTER_SECONDS);
    } else if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    if (exception instanceof ApiError) void reply.headers(exception.headers);
    if (request && wantsErrorPage(request)) {
      void this.answerBrowser(request, reply, body);
      return;
    }
    void reply.status(body.statusCode).send(body);
  }

  /**
   * A browser's form post gets what a person can read, never JSON: a `303` to the form's `error_url`
   * with `error=<code>`, or, without one, the same status with a page listing every problem.
   */
  private async answerBrowser(request: FastifyRequest, reply: FastifyReply, body: ErrorBody): Promise<void> {
    const formId = submittedFormId(request.url);
    let errorUrl: string | null = null;
    try {
      const tenantId = requestTenantId(request);
      errorUrl = formId && tenantId && this.targets ? await this.targets.errorUrlFor(formId, tenantId) : null;
    } catch (lookupError) {
      // The store being down must not turn a refusal into a 500: the built-in page says it all.
      this.logger.warn({ msg: 'error_url lookup failed', err: (lookupError as Error).name });
    }
    if (errorUrl) {
      sendSeeOther(reply, withQueryParameter(errorUrl, 'error', body.error));
      return;
    }
    const cameFrom = { referer: request.headers.referer, origin: request.headers.origin };
    sendPage(reply, body.statusCode, errorPage(body, cameFrom));
  }
}
