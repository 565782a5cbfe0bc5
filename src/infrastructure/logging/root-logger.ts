import { pino, type Logger } from 'pino';

/**
 * The single pino instance of a process. Fastify logs each request through it (with `reqId`), and
 * Nest's own logging goes through `AppLogger`, which adds the same `reqId` from the CLS context.
 */
export function createRootLogger(level: string, service: 'api' | 'worker' | 'cli'): Logger {
  // The CLI's stdout carries its command results; its logs go to stderr.
  const destination = pino.destination(service === 'cli' ? 2 : 1);
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-admin-key"]',
          'req.headers.cookie',
          // A visitor's captcha token (single-use, but never written anywhere).
          'req.headers["x-captcha-token"]',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
