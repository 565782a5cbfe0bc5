import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isStoreBusyError, isStoreUnreachableError } from '../database/mongo-values.js';
import { ApiError } from './api-error.js';
import { toErrorBody } from './error-body.js';

const STORE_RETRY_AFTER_SECONDS = '5';

/** Gives every error the contract's body; 5xx are logged with their cause, never shown to clients. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toErrorBody(exception);
    if (isStoreUnreachableError(exception)) {
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
    void reply.status(body.statusCode).send(body);
  }
}
