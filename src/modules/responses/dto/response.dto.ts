import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601 } from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { PageQueryDto } from '../../../infrastructure/http/page-query.dto.js';
import type { ResponseRecord } from '../responses.repository.js';

export class ResponseListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'created_at at or after' })
  @IsOmittable()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31T23:59:59Z', description: 'created_at at or before' })
  @IsOmittable()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: spam only; otherwise spam is left out' })
  @IsOmittable()
  @IsIn(['true', 'false'])
  spam?: 'true' | 'false';
}

export class SubmissionDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'One value per field key of the form',
    example: { email: 'ada@example.com', message: 'Hello' },
  })
  data!: Record<string, unknown>;
}

export class SubmittedDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345679' }) response_id!: string;
}

export class ResponseDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345679' }) response_id!: string;
  @ApiProperty({ example: '665f1c2e9b1d8a0012345678' }) form_id!: string;
  @ApiProperty({ example: 1 }) form_version!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'One value per field key of the form',
    example: { email: 'ada@example.com', message: 'Hello' },
  })
  data!: Record<string, unknown>;
  @ApiProperty({ example: false, description: 'Caught by the honeypot; POST /responses/:id/not-spam clears it' })
  spam!: boolean;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;

  static from(response: ResponseRecord): ResponseDto {
    return {
      response_id: response._id.toHexString(),
      form_id: response.form_id.toHexString(),
      form_version: response.form_version,
      data: response.data,
      spam: response.spam === true,
      created_at: response.created_at.toISOString(),
      updated_at: response.updated_at.toISOString(),
    };
  }
}

export class ResponsePageDto {
  @ApiProperty({ type: [ResponseDto] }) data!: ResponseDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}
