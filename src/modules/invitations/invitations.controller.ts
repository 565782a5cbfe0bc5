import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsIn, MaxLength } from 'class-validator';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { INVITATION_ROLES, type InvitationRole } from './invitation.schema.js';
import { InvitationsService } from './invitations.service.js';

export class CreateInvitationDto {
  @ApiProperty({ example: 'colleague@example.com' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ enum: INVITATION_ROLES }) @IsIn(INVITATION_ROLES) role!: InvitationRole;
}

export class InvitationDto {
  @ApiProperty() invitation_id!: string;
  @ApiProperty() form_id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: INVITATION_ROLES }) role!: InvitationRole;
  @ApiProperty() created_at!: string;
}

@ApiTags('forms')
@Controller('forms/:form_id/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @RequireUser('editor')
  @ApiOperation({ summary: 'Share a form by email; the invitation email goes out in the background' })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiNotFoundResponse({ description: 'No such form in this tenant (not_found)' })
  async invite(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Body() body: CreateInvitationDto,
  ): Promise<InvitationDto> {
    const invitation = await this.invitations.invite(formId, body.email, body.role);
    return {
      invitation_id: invitation._id.toHexString(),
      form_id: invitation.form_id.toHexString(),
      email: invitation.email,
      role: invitation.role,
      created_at: invitation.created_at.toISOString(),
    };
  }
}
