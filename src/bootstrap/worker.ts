import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '../infrastructure/logging/app-logger.js';
import { createRootLogger } from '../infrastructure/logging/root-logger.js';
import { WorkerModule } from '../worker.module.js';
import { loadEnvironmentOrExit } from './environment.js';
import { closeOnSignals } from './shutdown.js';

/** Boots the queue processors without an HTTP server; SIGTERM lets active jobs finish first. */
export async function bootstrapWorker(): Promise<INestApplicationContext> {
  const environment = loadEnvironmentOrExit();
  const logger = createRootLogger(environment.LOG_LEVEL, 'worker');
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: new AppLogger(logger) });
  closeOnSignals(app, logger);
  logger.info('worker started');
  return app;
}
