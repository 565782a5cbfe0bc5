import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthService } from './auth.service.js';
import {
  AccessTokenDto,
  LoginDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RegisterDto,
} from './dto/auth.dto.js';
import { RegisteredDto, UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  @Post('register')
  @ApiOperation({ summary: 'Create a user in the request tenant (the first one becomes its owner)' })
  @ApiCreatedResponse({ type: RegisteredDto })
  @ApiConflictResponse({ description: 'The email is taken in this tenant (conflict)' })
  async register(@Body() body: RegisterDto): Promise<RegisteredDto> {
    const { user, accessToken } = await this.users.register(body);
    return { user: UserDto.from(user), access_token: accessToken };
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiUnauthorizedResponse({ description: 'Unknown email or wrong password (invalid_credentials)' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts (rate_limited, with Retry-After)' })
  login(@Body() body: LoginDto, @Req() request: FastifyRequest): Promise<AccessTokenDto> {
    return this.auth.login(body, request.ip);
  }

  @Post('password-reset')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Email a single-use reset token (valid 1 h) if the user exists; always 202' })
  @ApiAcceptedResponse()
  async requestPasswordReset(@Body() body: PasswordResetRequestDto): Promise<void> {
    await this.auth.requestPasswordReset(body.email);
  }

  @Post('password-reset/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'Bad, used or expired token (invalid_token)' })
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.auth.confirmPasswordReset(body);
  }
}
