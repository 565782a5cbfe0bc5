import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * On SIGTERM/SIGINT: stop taking work, let what is running finish (HTTP requests, active jobs),
 * close connections, exit 0. A second signal exits at once.
 */
export function closeOnSignals(app: INestApplicationContext, logger: Logger): void {
  const shutdown = async (signal: NodeJS.Signals) => {
    process.once(signal, () => process.exit(1));
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
