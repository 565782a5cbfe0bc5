import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { InvitationDto } from '../../invitations/index.js';
import { TENANT_ID_PATTERN } from '../tenant.schema.js';
import { TenantSettingsDto } from './tenant-settings.dto.js';
import { TenantDto } from './tenant.dto.js';

export class TenantOwnerDto {
  @ApiProperty({ example: 'founder@acme.example' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
}

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
  @IsOmittable()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;

  @ApiPropertyOptional({ type: TenantOwnerDto, description: 'Emailed an owner invitation' })
  @IsOmittable()
  @ValidateNested()
  @Type(() => TenantOwnerDto)
  owner?: TenantOwnerDto;
}

export class OwnerInvitationDto {
  @ApiProperty() invitation_id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() expires_at!: string;

  static from(invitation: InvitationDto): OwnerInvitationDto {
    return { invitation_id: invitation.invitation_id, email: invitation.email, expires_at: invitation.expires_at };
  }
}

export class CreatedTenantDto extends TenantDto {
  @ApiPropertyOptional({ type: OwnerInvitationDto, description: 'Present when an owner was invited' })
  owner_invitation?: OwnerInvitationDto;
}
