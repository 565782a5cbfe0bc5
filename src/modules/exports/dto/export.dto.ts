import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { EXPORT_STATUSES } from '../export.schema.js';
import type { ExportRecord } from '../exports.repository.js';

export class CreateExportDto {
  @ApiProperty({ enum: ['csv'], example: 'csv' }) @IsIn(['csv']) format!: 'csv';
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
