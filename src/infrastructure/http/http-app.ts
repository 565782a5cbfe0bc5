import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppConfigService } from '../config/app-config.service.js';
import { Metrics } from '../metrics/metrics.js';
import { mountQueueDashboard } from '../queue/queue-dashboard.js';
import { AllExceptionsFilter } from './all-exceptions.filter.js';
import { setUpSwagger } from './swagger.js';
import { createValidationPipe } from './validation.js';

export const API_PREFIX = 'api/v1';

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** A caller's `X-Request-ID` is kept when it is sane, so its id follows the request through our logs. */
function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

export function createFastifyAdapter(logger: Logger, bodyLimitBytes: number): FastifyAdapter {
  return new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: bodyLimitBytes,
    genReqId: requestIdFor,
  });
}

/** Everything an HTTP application needs besides its modules; shared by `main.ts` and the e2e tests. */
export async function configureHttpApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const config = app.get(AppConfigService);
  const metrics = app.get(Metrics);
  // One file per request, streamed. The parser silently truncates at its limit, so it is set one byte
  // past ours: the files service then sees an oversized upload and refuses it (413).
  await app.register(multipart, { limits: { fileSize: config.files.maxBytes + 1, files: 1, fields: 0, parts: 1 } });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useSecurityHeaders();
  const { corsOrigins } = config.http;
  app.enableCors({ origin: corsOrigins.length > 0 ? corsOrigins : false });
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    })
    .addHook('onResponse', async (request, reply) => {
      // The route pattern, not the URL: ids would make one series per document.
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  setUpSwagger(app);
  await mountQueueDashboard(app);
  return app;
}
