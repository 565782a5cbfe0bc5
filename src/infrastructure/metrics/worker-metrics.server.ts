import { createServer, type Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service.js';
import { Metrics } from './metrics.js';

/** The worker serves no API; Prometheus scrapes its job metrics at `WORKER_METRICS_PORT` `/metrics`. */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const { workerMetricsPort, host } = this.config.http;
    if (workerMetricsPort === 0) return;
    const { registry } = this.metrics;
    this.server = createServer((request, response) => {
      if (request.url !== '/metrics') return void response.writeHead(404).end();
      registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => response.writeHead(500).end(),
      );
    }).listen(workerMetricsPort, host, () =>
      this.logger.log({ msg: 'worker metrics listening', port: workerMetricsPort }),
    );
  }

  onApplicationShutdown(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
