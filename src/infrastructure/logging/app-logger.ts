import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import { currentRequestIds } from '../cls/request-ids.js';

/** Nest's `LoggerService` on top of pino, so framework and application lines share one JSON format. */
export class AppLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...context: unknown[]): void {
    this.write('info', message, context);
  }

  error(message: unknown, ...context: unknown[]): void {
    this.write('error', message, context);
  }

  warn(message: unknown, ...context: unknown[]): void {
    this.write('warn', message, context);
  }

  debug(message: unknown, ...context: unknown[]): void {
    this.write('debug', message, context);
  }

  verbose(message: unknown, ...context: unknown[]): void {
    this.write('trace', message, context);
  }

  fatal(message: unknown, ...context: unknown[]): void {
    this.write('fatal', message, context);
  }

  /** Nest passes `(message, [stack], context)`; the last string is the logging class's name. */
  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    context: unknown[],
  ): void {
    if (!this.root.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const ids = currentRequestIds();
    if (ids) fields.reqId = ids.request_id;
    if (ids?.client_request_id) fields.clientReqId = ids.client_request_id;
    const trailing = [...context];
    if (typeof trailing.at(-1) === 'string') fields.context = trailing.pop();
    const stack = trailing.find((item) => typeof item === 'string');
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...fields, ...message });
    } else {
      this.root[level](fields, String(message));
    }
  }
}
