import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../../infrastructure/http/admin-key.guard.js';
import { WithoutTenant } from '../../infrastructure/tenancy/without-tenant.decorator.js';
import { DiagnosticJobDto, EnqueueDiagnosticDto } from './diagnostics.dto.js';
import { DiagnosticsService } from './diagnostics.service.js';

@ApiTags('admin')
@WithoutTenant()
@ApiSecurity('admin-key')
@UseGuards(AdminKeyGuard)
@Controller('admin/diagnostics/jobs')
export class DiagnosticsController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: DiagnosticJobDto, description: 'The job is queued for the worker' })
  enqueue(@Body() body: EnqueueDiagnosticDto): Promise<DiagnosticJobDto> {
    return this.diagnostics.enqueue(body.message);
  }

  @Get(':job_id')
  @ApiOkResponse({ type: DiagnosticJobDto })
  @ApiNotFoundResponse({ description: 'No such job (not_found)' })
  find(@Param('job_id') jobId: string): Promise<DiagnosticJobDto> {
    return this.diagnostics.find(jobId);
  }
}
