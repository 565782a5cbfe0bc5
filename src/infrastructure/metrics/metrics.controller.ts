import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppConfigService } from '../config/app-config.service.js';
import { ApiError } from '../http/api-error.js';
import { WithoutTenant } from '../tenancy/without-tenant.decorator.js';
import { metricsAccess } from './metrics-access.js';
import { Metrics } from './metrics.js';

/** Prometheus scrape endpoint; with `METRICS_TOKEN` set, only for `Authorization: Bearer <token>`. */
@ApiExcludeController()
@WithoutTenant()
@Controller('metrics')
export class MetricsController {
  private readonly mayScrape: (authorization: string | undefined) => boolean;

  constructor(
    private readonly metrics: Metrics,
    config: AppConfigService,
  ) {
    this.mayScrape = metricsAccess(config.http.metricsToken);
  }

  @Get()
  scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    if (!this.mayScrape(authorization)) {
      throw ApiError.unauthorized('Metrics need Authorization: Bearer <METRICS_TOKEN>');
    }
    // Set here, not with @Header: an error body must keep its JSON content type.
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
