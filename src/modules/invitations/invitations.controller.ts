import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { RateLimited } from '../../infrastructure/rate-limit/rate-limited.decorator.js';
import { RegisteredDto, UserDto } from '../users/index.js';
import {
  AcceptInvitationDto,
  CreateFormInvitationDto,
  CreateInvitationDto,
  InvitationDto,
  InvitationListDto,
} from './dto/invitation.dto.js';
import { InvitationsService } from './invitations.service.js';

const EMAILED =
  'The invitation email (with a single-use accept link, valid 7 days) goes out in the background; ' +
  'a pending invitation to the same address is revoked.';

@ApiTags('invitations')
@Controller()
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post('invitations')
  @RequireUser('owner')
  @ApiOperation({ summary: 'Owner: invite someone to join the tenant with a role', description: EMAILED })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiConflictResponse({ description: 'The email is a member already (conflict)' })
  async invite(@Body() body: CreateInvitationDto): Promise<InvitationDto> {
    return InvitationDto.from(await this.invitations.invite(body));
  }

  @Post('forms/:form_id/invitations')
  @RequireUser('owner')
  @ApiTags('forms')
  @ApiOperation({ summary: 'Owner: invite someone to join and work on this form', description: EMAILED })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiNotFoundResponse({ description: 'No such form in this tenant (not_found)' })
  @ApiConflictResponse({ description: 'The email is a member already (conflict)' })
  async inviteToForm(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Body() body: CreateFormInvitationDto,
  ): Promise<InvitationDto> {
    return InvitationDto.from(await this.invitations.invite({ ...body, formId }));
  }

  @Get('invitations')
  @RequireUser('owner')
  @ApiOperation({ summary: "Owner: the tenant's invitations, newest first" })
  @ApiOkResponse({ type: InvitationListDto })
  async list(): Promise<InvitationListDto> {
    return { data: (await this.invitations.list()).map(InvitationDto.from) };
  }

  @Delete('invitations/:invitation_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireUser('owner')
  @ApiOperation({ summary: 'Owner: revoke an invitation; its token stops working' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such invitation in this tenant (not_found)' })
  @ApiConflictResponse({ description: 'The invitation was accepted already (conflict)' })
  async revoke(@Param('invitation_id', new ObjectIdPipe('Invitation')) id: Types.ObjectId): Promise<void> {
    await this.invitations.revoke(id);
  }

  @Post('auth/invitations/accept')
  @RateLimited(RateLimitName.Account)
  @ApiTags('auth')
  @ApiOperation({
    summary: 'Anonymous: accept an invitation (name the tenant with X-Tenant-ID); signs the new member in',
  })
  @ApiCreatedResponse({ type: RegisteredDto })
  @ApiBadRequestResponse({ description: 'Bad, used, revoked or expired token (invalid_token)' })
  @ApiConflictResponse({ description: 'The email is a member already (conflict)' })
  async accept(@Body() body: AcceptInvitationDto): Promise<RegisteredDto> {
    const { user, accessToken } = await this.invitations.accept(body);
    return { user: UserDto.from(user), access_token: accessToken };
  }
}
