import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { TENANT_ID_PATTERN } from '../tenant.schema.js';
import { TenantSettingsDto } from './tenant-settings.dto.js';

export class CreateTenantDto {
  @ApiProperty({ example: 'acme', description: '3-63 characters of a-z, 0-9 and -' })
  @Matches(TENANT_ID_PATTERN, { message: 'tenant_id must be 3-63 characters of a-z, 0-9 and -' })
  tenant_id!: string;

  @ApiProperty({ example: 'Acme Corp' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: TenantSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;
}
