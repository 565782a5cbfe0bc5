import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WithoutTenant } from '../tenancy/without-tenant.decorator.js';
import { Metrics } from './metrics.js';

/** Prometheus scrape endpoint; meant for the internal network, like /health. */
@ApiExcludeController()
@WithoutTenant()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
