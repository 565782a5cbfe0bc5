import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { configureHttpApp, createFastifyAdapter, trustProxyWarning } from '../infrastructure/http/http-app.js';
import { AppLogger } from '../infrastructure/logging/app-logger.js';
import { createRootLogger } from '../infrastructure/logging/root-logger.js';
import { loadEnvironmentOrExit } from './environment.js';
import { closeOnSignals } from './shutdown.js';

export async function bootstrapApi(): Promise<NestFastifyApplication> {
  const environment = loadEnvironmentOrExit();
  const logger = createRootLogger(environment.LOG_LEVEL, 'api');
  const proxyWarning = trustProxyWarning(environment.TRUST_PROXY);
  if (proxyWarning) logger.warn(proxyWarning);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    createFastifyAdapter(logger, {
      bodyLimitBytes: environment.BODY_LIMIT_BYTES,
      trustProxy: environment.TRUST_PROXY,
    }),
    { logger: new AppLogger(logger) },
  );
  await configureHttpApp(app);
  closeOnSignals(app, logger, environment.SHUTDOWN_TIMEOUT_MS);
  await app.listen(environment.PORT, environment.HOST);
  logger.info({ url: await app.getUrl() }, 'API listening');
  return app;
}
