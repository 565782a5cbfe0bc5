import { HttpStatus, Injectable } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { AttemptCounter } from '../../infrastructure/rate-limit/attempt-counter.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { AccessTokenDto, ChangePasswordDto, LoginDto } from './dto/auth.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionsService } from './sessions.service.js';
import { type UserRecord, UsersRepository } from './users.repository.js';
import { normalizeEmail, UsersService } from './users.service.js';

/** Signing in and out, and changing one's own password. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly attempts: AttemptCounter,
    private readonly config: AppConfigService,
  ) {}

  /**
   * Unknown email and wrong password get the same answer after the same work (one hash verification).
   * The attempt counts as failed before the password is checked (parallel guesses cannot all pass the
   * limit) and is taken back when the password was right. Logins per client IP: `@RateLimited`.
   */
  async login(input: LoginDto): Promise<AccessTokenDto> {
    const email = normalizeEmail(input.email);
    const failures = `${TenantContext.tenantId()}:${email}`;
    await this.attempts.count(RateLimitName.LoginFailures, failures);
    const user = await this.users.findByEmail(email);
    if (!(await this.hasher.verify(user?.password_hash, input.password)) || !user) throw invalidCredentials();
    await this.attempts.uncount(RateLimitName.LoginFailures, failures);
    if (this.hasher.needsRehash(user.password_hash)) {
      await this.users.upgradePasswordHash(user._id, user.password_hash, await this.hasher.hash(input.password));
    }
    return this.accessToken(user);
  }

  /**
   * Every earlier token of the user stops working; the answer is a fresh one. A stolen token must not
   * become a password oracle: as for logins, the attempt counts as failed (per user) before the
   * current password is checked, and is taken back when it was right.
   */
  async changePassword(input: ChangePasswordDto): Promise<AccessTokenDto> {
    const user = await this.usersService.current();
    const failures = `${TenantContext.tenantId()}:${user._id.toHexString()}`;
    await this.attempts.count(RateLimitName.PasswordChangeFailures, failures);
    if (!(await this.hasher.verify(user.password_hash, input.current_password))) throw invalidCredentials();
    await this.attempts.uncount(RateLimitName.PasswordChangeFailures, failures);
    const updated = await this.users.setPassword(user._id, await this.hasher.hash(input.new_password));
    if (!updated) throw ApiError.unauthorized('The access token names no user of this tenant');
    await this.sessions.revoked(user._id.toHexString());
    return this.accessToken(updated);
  }

  /** Every token issued to the signed-in user so far stops working, on every replica. */
  async logout(): Promise<void> {
    const user = await this.usersService.current();
    await this.users.revokeSessions(user._id);
    await this.sessions.revoked(user._id.toHexString());
  }

  private async accessToken(user: UserRecord): Promise<AccessTokenDto> {
    return {
      access_token: await this.sessions.issue(user),
      token_type: 'Bearer',
      expires_in: this.config.auth.jwtExpiresInSeconds,
    };
  }
}

function invalidCredentials(): ApiError {
  return new ApiError(HttpStatus.UNAUTHORIZED, ErrorCode.InvalidCredentials, 'Wrong email or password');
}
