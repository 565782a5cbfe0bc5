import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '../infrastructure/logging/app-logger.js';
import { createRootLogger } from '../infrastructure/logging/root-logger.js';
import { WorkerMisconfiguredError } from '../infrastructure/queue/worker-queues.js';
import { WorkerModule } from '../worker.module.js';
import { exitWithOneLine, loadEnvironmentOrExit } from './environment.js';
import { closeOnSignals } from './shutdown.js';

/**
 * Boots the queue processors without an HTTP server; SIGTERM lets active jobs finish first. A queue
 * without exactly one processor stops the process at once, in one line.
 */
export async function bootstrapWorker(rootModule: Type = WorkerModule): Promise<INestApplicationContext> {
  const environment = loadEnvironmentOrExit();
  const logger = createRootLogger(environment.LOG_LEVEL, 'worker');
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(rootModule, { logger: new AppLogger(logger) });
  } catch (error) {
    if (error instanceof WorkerMisconfiguredError) exitWithOneLine(error.message);
    throw error;
  }
  closeOnSignals(app, logger, environment.SHUTDOWN_TIMEOUT_MS);
  logger.info('worker started');
  return app;
}
