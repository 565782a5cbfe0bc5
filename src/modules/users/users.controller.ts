import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { ChangeRoleDto, UserDto, UserListDto } from './dto/user.dto.js';
import { MembersService } from './members.service.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly members: MembersService,
  ) {}

  @Get('me')
  @RequireUser('viewer', { apiKeys: false })
  @ApiOperation({ summary: 'Any member: the signed-in user' })
  @ApiOkResponse({ type: UserDto })
  async me(): Promise<UserDto> {
    return UserDto.from(await this.users.current());
  }

  @Get()
  @RequireUser()
  @ApiOperation({ summary: 'Any member: every member of the tenant' })
  @ApiOkResponse({ type: UserListDto })
  async list(): Promise<UserListDto> {
    return { data: (await this.users.list()).map(UserDto.from) };
  }

  @Patch(':user_id')
  @RequireUser('owner')
  @ApiOperation({ summary: "Owner: change a member's role; that member's tokens stop working" })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such member in this tenant (not_found)' })
  @ApiConflictResponse({ description: 'It would leave the tenant without an owner (last_owner)' })
  async changeRole(
    @Param('user_id', new ObjectIdPipe('User')) userId: Types.ObjectId,
    @Body() body: ChangeRoleDto,
  ): Promise<UserDto> {
    return UserDto.from(await this.members.changeRole(userId, body.role));
  }

  @Delete(':user_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireUser()
  @ApiOperation({ summary: 'Owner, or the member themself: remove a member; their tokens stop working' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such member in this tenant (not_found)' })
  @ApiConflictResponse({ description: 'It would leave the tenant without an owner (last_owner)' })
  async remove(@Param('user_id', new ObjectIdPipe('User')) userId: Types.ObjectId): Promise<void> {
    await this.members.remove(userId);
  }
}
