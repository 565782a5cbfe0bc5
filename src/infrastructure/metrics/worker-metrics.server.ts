import { createServer, type Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service.js';
import { ApiError } from '../http/api-error.js';
import { toErrorBody } from '../http/error-body.js';
import { metricsAccess } from './metrics-access.js';
import { Metrics } from './metrics.js';

/**
 * The worker serves no API; Prometheus scrapes its job metrics at `WORKER_METRICS_HOST` (loopback by
 * default) `:WORKER_METRICS_PORT/metrics`, with the API's `METRICS_TOKEN` rule.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const { workerMetricsPort, workerMetricsHost, metricsToken } = this.config.http;
    if (workerMetricsPort === 0) return;
    const { registry } = this.metrics;
    const mayScrape = metricsAccess(metricsToken);
    const refused = JSON.stringify(
      toErrorBody(ApiError.unauthorized('Metrics need Authorization: Bearer <METRICS_TOKEN>')),
    );
    this.server = createServer((request, response) => {
      if (request.url !== '/metrics') return void response.writeHead(404).end();
      if (!mayScrape(request.headers.authorization)) {
        return void response.writeHead(401, { 'content-type': 'application/json' }).end(refused);
      }
      registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => response.writeHead(500).end(),
      );
    }).listen(workerMetricsPort, workerMetricsHost, () =>
      this.logger.log({ msg: 'worker metrics listening', host: workerMetricsHost, port: workerMetricsPort }),
    );
  }

  onApplicationShutdown(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
