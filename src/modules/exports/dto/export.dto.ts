import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601 } from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { EXPORT_FORMATS, type ExportFormat } from '../export-format.js';
import { EXPORT_STATUSES } from '../export.schema.js';
import type { ExportRecord } from '../exports.repository.js';

export class CreateExportDto {
  @ApiProperty({
    enum: EXPORT_FORMATS,
    example: 'csv',
    description: 'csv: RFC 4180 with a UTF-8 BOM; json: one array of responses; xlsx: one sheet, typed cells',
  })
  @IsIn(EXPORT_FORMATS)
  format!: ExportFormat;

  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'Only responses submitted at or after this date or time (ISO 8601; a date starts at 00:00 UTC)',
  })
  @IsOmittable()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-03-31',
    description:
      'Only responses submitted at or before this date or time (a date counts whole, to 24:00 UTC); not before from',
  })
  @IsOmittable()
  @IsISO8601({ strict: true })
  to?: string;
}

export class ExportCreatedDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345680' }) export_id!: string;
  @ApiProperty({ enum: ['queued'], example: 'queued' }) status!: string;
}

export class ExportDto {
  @ApiProperty() export_id!: string;
  @ApiProperty() form_id!: string;
  @ApiProperty({ enum: EXPORT_STATUSES }) status!: string;
  @ApiProperty() row_count!: number;
  @ApiPropertyOptional() error?: string;
  @ApiProperty() created_at!: string;
  @ApiPropertyOptional() completed_at?: string;

  static from(record: ExportRecord): ExportDto {
    const dto: ExportDto = {
      export_id: record._id.toHexString(),
      form_id: record.form_id.toHexString(),
      status: record.status,
      row_count: record.row_count,
      created_at: record.created_at.toISOString(),
    };
    if (record.error) dto.error = record.error;
    if (record.completed_at) dto.completed_at = record.completed_at.toISOString();
    return dto;
  }
}
