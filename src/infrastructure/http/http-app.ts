import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import { HttpStatus, RequestMethod } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppConfigService } from '../config/app-config.service.js';
import { MongoAvailability } from '../database/mongo-availability.js';
import { MaintenanceMode } from '../maintenance/maintenance-mode.js';
import { Metrics } from '../metrics/metrics.js';
import { mountQueueDashboard } from '../queue/queue-dashboard.js';
import { AllExceptionsFilter, STORE_RETRY_AFTER_SECONDS } from './all-exceptions.filter.js';
import type { ErrorBody } from './api-error.js';
import { BodyShapePipe } from './body-shape.pipe.js';
import { BrowserFormTargets, wantsErrorPage } from './browser-form-post.js';
import { corsDelegator, PublicFormOrigins } from './cors.js';
import { STORE_UNAVAILABLE_BODY } from './error-body.js';
import { ErrorCode } from './error-codes.js';
import { useUrlencodedParser } from './form-body-parser.js';
import { errorPage, sendPage } from './html-pages.js';
import { setUpSwagger } from './swagger.js';
import { createValidationPipe } from './validation.js';

export const API_PREFIX = 'api/v1';

/** Always the server's own id: a caller's `X-Request-ID` is kept beside it, never as it (`request-ids.ts`). */
const requestIdFor = (): string => randomUUID();

/**
 * Fastify's `trustProxy` from `TRUST_PROXY`: nothing trusted by default (the client is the TCP peer,
 * so nobody can pick their own rate-limit bucket with `X-Forwarded-For`), a hop count, or proxies'
 * addresses and ranges. Prefer the ranges: a hop count believes whoever connects (see below).
 */
export function trustProxyFrom(
  setting: string | undefined,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (!setting) return false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  return setting.split(',').map((entry) => entry.trim());
}

/**
 * A hop count trusts the last N hops whoever the TCP peer is: a visitor who can reach the process
 * without the proxy (a published port, a misrouted balancer) picks its own address and rate-limit
 * bucket. It stays accepted (some platforms give no stable proxy range) but is said at start-up.
 */
export function trustProxyWarning(setting: string | undefined): string | null {
  if (!setting || !/^\d+$/.test(setting)) return null;
  return "TRUST_PROXY is a hop count: any client that reaches this process directly can choose its own address; set the proxies' CIDR ranges instead";
}

export interface HttpAdapterOptions {
  bodyLimitBytes: number;
  trustProxy: string | undefined;
}

export function createFastifyAdapter(logger: Logger, options: HttpAdapterOptions): FastifyAdapter {
  return new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: trustProxyFrom(options.trustProxy),
    genReqId: requestIdFor,
  });
}

const MAINTENANCE_BODY: ErrorBody = {
  statusCode: HttpStatus.SERVICE_UNAVAILABLE,
  error: ErrorCode.Maintenance,
  message: 'Down for maintenance; try again later',
};

/** A 503 before routing; a visitor's form post gets a page a person can read, as for every other refusal. */
function refuse(request: FastifyRequest, reply: FastifyReply, body: ErrorBody, retryAfter: string): FastifyReply {
  void reply.header('retry-after', retryAfter);
  if (wantsErrorPage(request)) {
    const cameFrom = { referer: request.headers.referer, origin: request.headers.origin };
    return sendPage(reply, HttpStatus.SERVICE_UNAVAILABLE, errorPage(body, cameFrom));
  }
  return reply.code(HttpStatus.SERVICE_UNAVAILABLE).send({ ...body });
}

/** Everything an HTTP application needs besides its modules; shared by `main.ts` and the e2e tests. */
export async function configureHttpApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const config = app.get(AppConfigService);
  const metrics = app.get(Metrics);
  // One file per request, streamed. The parser silently truncates at its limit, so it is set one byte
  // past ours: the files service then sees an oversized upload and refuses it (413).
  // A web page's form submission sets its own limits per request (web-submission-body.ts).
  await app.register(multipart, { limits: { fileSize: config.files.maxBytes + 1, files: 1, fields: 0, parts: 1 } });
  useUrlencodedParser(app, config.http.bodyLimitBytes);
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useSecurityHeaders();
  app.enableCors({ delegator: corsDelegator(app.get(PublicFormOrigins, { strict: false }), config.http.corsOrigins) });
  const mongo = app.get(MongoAvailability);
  app.useGlobalFilters(
    new AllExceptionsFilter(app.get(BrowserFormTargets, { strict: false }), () => mongo.isUnreachable()),
  );
  app.useGlobalPipes(new BodyShapePipe(), createValidationPipe());
  const maintenance = app.get(MaintenanceMode);
  app
    .getHttpAdapter()
    .getInstance()
    // Before routing, guards and body parsing: in maintenance nothing but health reaches the app, and
    // while the driver knows MongoDB is unreachable no API request waits to find it out (every one
    // needs it: accounts, keys, forms, responses); it gets the 503 a request meeting the outage gets.
    .addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/health/')) return;
      const { on, retryAfterSeconds } = maintenance.current;
      if (on) return refuse(request, reply, MAINTENANCE_BODY, String(retryAfterSeconds));
      if (mongo.isUnreachable() && request.url.startsWith(`/${API_PREFIX}/`)) {
        return refuse(request, reply, STORE_UNAVAILABLE_BODY, STORE_RETRY_AFTER_SECONDS);
      }
    })
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
