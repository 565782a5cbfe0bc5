import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { TenantAccessSettingsDto } from './tenant-settings.dto.js';

/** What an owner may change of their tenant: quotas and features stay with the operator (admin API). */
export class UpdateOwnTenantDto {
  @ApiPropertyOptional({ example: 'Acme Corporation' })
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: TenantAccessSettingsDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => TenantAccessSettingsDto)
  settings?: TenantAccessSettingsDto;
}
