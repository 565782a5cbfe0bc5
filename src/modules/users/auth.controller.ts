import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { RateLimited } from '../../infrastructure/rate-limit/rate-limited.decorator.js';
import { AuthService } from './auth.service.js';
import {
  AccessTokenDto,
  ChangePasswordDto,
  LoginDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RegisterDto,
} from './dto/auth.dto.js';
import { RegisteredDto, UserDto } from './dto/user.dto.js';
import { PasswordResetService } from './password-reset.service.js';
import { UsersService } from './users.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly passwordReset: PasswordResetService,
  ) {}

  @Post('register')
  @RateLimited(RateLimitName.Account)
  @ApiOperation({
    summary: 'Anonymous: join a tenant whose registration is open, with its signup_role (name it with X-Tenant-ID)',
  })
  @ApiCreatedResponse({ type: RegisteredDto })
  @ApiForbiddenResponse({ description: 'The tenant admits members by invitation only (registration_closed)' })
  @ApiConflictResponse({ description: 'The email is a member of this tenant already (conflict)' })
  async register(@Body() body: RegisterDto): Promise<RegisteredDto> {
    const { user, accessToken } = await this.users.register(body);
    return { user: UserDto.from(user), access_token: accessToken };
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @RateLimited(RateLimitName.Login)
  @ApiOperation({ summary: 'Anonymous: sign in to the tenant named by X-Tenant-ID' })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiUnauthorizedResponse({ description: 'Unknown email or wrong password (invalid_credentials)' })
  @ApiServiceUnavailableResponse({ description: 'Rate limits cannot be counted (Redis down): logins are refused' })
  login(@Body() body: LoginDto): Promise<AccessTokenDto> {
    return this.auth.login(body);
  }

  @Post('password')
  @HttpCode(HttpStatus.OK)
  @RequireUser('viewer', { apiKeys: false })
  @ApiOperation({
    summary: 'Any member: change one’s password; every earlier token stops working, a new one is returned',
  })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiUnauthorizedResponse({ description: 'Wrong current password (invalid_credentials), or no valid token' })
  @ApiTooManyRequestsResponse({
    description: 'Too many wrong current passwords for this user (rate_limited, with Retry-After)',
  })
  @ApiServiceUnavailableResponse({ description: 'Failures cannot be counted (Redis down): changes are refused' })
  changePassword(@Body() body: ChangePasswordDto): Promise<AccessTokenDto> {
    return this.auth.changePassword(body);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireUser('viewer', { apiKeys: false })
  @ApiOperation({ summary: 'Any member: every token issued to this user so far stops working, on every replica' })
  @ApiNoContentResponse()
  async logout(): Promise<void> {
    await this.auth.logout();
  }

  @Post('password-reset')
  @HttpCode(HttpStatus.ACCEPTED)
  @RateLimited(RateLimitName.Account)
  @ApiOperation({ summary: 'Anonymous: email a single-use reset link (valid 1 h) if the user exists; always 202' })
  @ApiAcceptedResponse()
  async requestPasswordReset(@Body() body: PasswordResetRequestDto): Promise<void> {
    await this.passwordReset.request(body.email);
  }

  @Post('password-reset/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RateLimited(RateLimitName.Account)
  @ApiOperation({ summary: 'Anonymous: set a new password with the token from the reset email; signs out everywhere' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'Bad, used or expired token (invalid_token)' })
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.passwordReset.confirm(body);
  }
}
