import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { REGISTRATION_MODES, type RegistrationMode, SIGNUP_ROLES, type SignupRole } from '../tenant.schema.js';

/** `*`, or a scheme and host with an optional port: what a browser sends as `Origin`. */
const ORIGIN = /^(\*|https?:\/\/[a-z0-9.-]+(:\d{1,5})?)$/i;

export class TenantFeaturesDto {
  @ApiPropertyOptional({ example: false }) @IsOmittable() @IsBoolean() workflows?: boolean;
  @ApiPropertyOptional({ example: false }) @IsOmittable() @IsBoolean() ai_generation?: boolean;
  @ApiPropertyOptional({ example: false }) @IsOmittable() @IsBoolean() webhooks?: boolean;
}

/** The settings a tenant's owner may change (`PATCH /tenant`); any subset. */
export class TenantAccessSettingsDto {
  @ApiPropertyOptional({ enum: REGISTRATION_MODES, description: 'invite_only: joining takes an invitation' })
  @IsOmittable()
  @IsIn(REGISTRATION_MODES)
  registration?: RegistrationMode;

  @ApiPropertyOptional({ enum: SIGNUP_ROLES, description: 'The role of users who register in an open tenant' })
  @IsOmittable()
  @IsIn(SIGNUP_ROLES)
  signup_role?: SignupRole;

  @ApiPropertyOptional({
    example: ['https://www.example.com'],
    description: 'Browser origins of embedded forms; "*" allows any',
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(ORIGIN, { each: true, message: 'each origin must be "*" or like https://host[:port]' })
  allowed_origins?: string[];

  @ApiPropertyOptional({
    example: 365,
    nullable: true,
    description: 'Responses older than this are erased; null keeps them',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36_500)
  response_retention_days?: number | null;

  @ApiPropertyOptional({
    example: 30,
    nullable: true,
    description: 'Spam (a filled honeypot) is erased this many days after it arrived; null keeps it',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36_500)
  spam_retention_days?: number | null;
}

/** Every setting (the admin API); what is left out keeps its current (or default) value. */
export class TenantSettingsDto extends TenantAccessSettingsDto {
  @ApiPropertyOptional({ example: 100 }) @IsOmittable() @IsInt() @Min(0) @Max(1_000_000) max_forms?: number;

  @ApiPropertyOptional({ example: 10_000 })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  max_responses_per_form?: number;

  @ApiPropertyOptional({ example: 10 }) @IsOmittable() @IsInt() @Min(0) @Max(1_000) max_webhooks?: number;

  @ApiPropertyOptional({ type: TenantFeaturesDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => TenantFeaturesDto)
  features?: TenantFeaturesDto;
}
