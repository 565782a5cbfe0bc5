import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../../infrastructure/auth/roles.js';
import type { ApiKeyRecord } from '../api-keys.repository.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'CRM sync', maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ enum: ROLES, description: 'What the key may do, as a member of this role' })
  @IsIn(ROLES)
  role!: Role;
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key stops working (in the future); absent or null: never',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expires_at?: Date | null;
}

/** A key as listed: never the key itself. */
export class ApiKeyDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345678' }) api_key_id!: string;
  @ApiProperty({ example: 'CRM sync' }) name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ example: 'fbk_Xy3k9QwE', description: 'The first 12 characters of the key, to recognise it' })
  prefix!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The latest use, recorded at most once a minute; null until first used',
  })
  last_used_at!: string | null;
  @ApiProperty({ description: 'The owner (user_id) who made it' }) created_by!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(key: ApiKeyRecord): ApiKeyDto {
    return {
      api_key_id: key._id.toHexString(),
      name: key.name,
      role: key.role,
      prefix: key.prefix,
      expires_at: key.expires_at?.toISOString() ?? null,
      last_used_at: key.last_used_at?.toISOString() ?? null,
      created_by: key.created_by,
      created_at: key.created_at.toISOString(),
    };
  }
}

/** The answer to creating a key: the only time the key itself is shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'fbk_Xy3k9QwE…',
    description: 'The key (`fbk_` and 32 random bytes, base64url): shown only in this answer, never again',
  })
  key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: ApiKeyDto, isArray: true }) data!: ApiKeyDto[];
}
