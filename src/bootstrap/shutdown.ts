import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * On SIGTERM/SIGINT: stop taking work, let what is running finish (HTTP requests, active jobs),
 * close connections, exit 0. Past `timeoutMs` it exits 1 whatever is still waiting (a graceful close
 * can wait forever on a store that is down); a second signal exits at once.
 */
export function closeOnSignals(app: INestApplicationContext, logger: Logger, timeoutMs: number): void {
  const shutdown = async (signal: NodeJS.Signals) => {
    process.once(signal, () => process.exit(1));
    logger.info({ signal, timeout_ms: timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeout_ms: timeoutMs }, 'shutdown deadline passed: exiting with work still open');
      process.exit(1);
    }, timeoutMs);
    try {
      await app.close();
      clearTimeout(deadline);
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  // Nothing awaits a signal listener: `shutdown` handles its own failure (logs it, exits 1).
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
