import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import { WithoutTenant } from '../tenancy/without-tenant.decorator.js';
import { ReadinessService } from './readiness.service.js';

@ApiTags('operations')
@WithoutTenant()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: MongoDB and Redis answer (503 naming the one that does not)' })
  ready() {
    return this.readiness.check();
  }
}
