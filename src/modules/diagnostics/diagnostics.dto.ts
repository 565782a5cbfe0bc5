import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsOmittable } from '../../infrastructure/http/is-omittable.js';
import type { DiagnosticJobResult } from './diagnostics.types.js';

export class EnqueueDiagnosticDto {
  @ApiPropertyOptional({ example: 'hello worker', maxLength: 200 })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  message?: string;
}

export class DiagnosticJobDto {
  @ApiProperty({ example: '42' })
  job_id!: string;

  @ApiProperty({ example: 'completed', enum: ['waiting', 'active', 'delayed', 'completed', 'failed', 'unknown'] })
  status!: string;

  @ApiPropertyOptional({
    example: { message: 'hello worker', worker_pid: 4242, processed_at: '2026-01-01T00:00:00.000Z' },
  })
  result?: DiagnosticJobResult;

  @ApiPropertyOptional()
  failed_reason?: string;
}
