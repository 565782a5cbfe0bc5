import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';

export class TenantFeaturesDto {
  @ApiPropertyOptional({ example: false }) @IsOptional() @IsBoolean() workflows?: boolean;
  @ApiPropertyOptional({ example: false }) @IsOptional() @IsBoolean() ai_generation?: boolean;
  @ApiPropertyOptional({ example: false }) @IsOptional() @IsBoolean() webhooks?: boolean;
}

/** Any subset of the settings; what is left out keeps its current (or default) value. */
export class TenantSettingsDto {
  @ApiPropertyOptional({ example: 100 }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) max_forms?: number;

  @ApiPropertyOptional({ example: 10_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  max_responses_per_form?: number;

  @ApiPropertyOptional({ type: TenantFeaturesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TenantFeaturesDto)
  features?: TenantFeaturesDto;
}
