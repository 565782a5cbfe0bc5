import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../../../infrastructure/auth/roles.js';
import { statusOf } from '../invitation-status.js';
import { INVITATION_STATUSES, type InvitationStatus } from '../invitation.schema.js';
import type { InvitationRecord } from '../invitations.repository.js';

const FORM_ROLES = ['viewer', 'editor'] as const;

export class CreateInvitationDto {
  @ApiProperty({ example: 'colleague@example.com' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
}

/** Someone asked to work on one form: an owner's role is not given this way. */
export class CreateFormInvitationDto {
  @ApiProperty({ example: 'colleague@example.com' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ enum: FORM_ROLES }) @IsIn(FORM_ROLES) role!: (typeof FORM_ROLES)[number];
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The token from the invitation email' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  token!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 256 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password!: string;
}

export class InvitationDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345678' }) invitation_id!: string;
  @ApiProperty({ example: 'colleague@example.com' }) email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ nullable: true, type: String, description: 'The form the invitation links to, if any' })
  form_id!: string | null;
  @ApiProperty({ enum: INVITATION_STATUSES }) status!: InvitationStatus;
  @ApiProperty({ nullable: true, type: String, description: 'The inviting member; null when an operator invited' })
  invited_by!: string | null;
  @ApiProperty() expires_at!: string;
  @ApiProperty() created_at!: string;

  static from(invitation: InvitationRecord): InvitationDto {
    return {
      invitation_id: invitation._id.toHexString(),
      email: invitation.email,
      role: invitation.role,
      form_id: invitation.form_id?.toHexString() ?? null,
      status: statusOf(invitation),
      invited_by: invitation.invited_by,
      expires_at: invitation.expires_at.toISOString(),
      created_at: invitation.created_at.toISOString(),
    };
  }
}

export class InvitationListDto {
  @ApiProperty({ type: InvitationDto, isArray: true }) data!: InvitationDto[];
}
