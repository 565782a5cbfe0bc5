import { createHash, randomBytes } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import { RateLimiter, type RateLimit } from '../../infrastructure/rate-limit/rate-limiter.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { InternalEvent, type PasswordResetRequested } from '../events/event.types.js';
import type { AccessTokenDto, LoginDto, PasswordResetConfirmDto } from './dto/auth.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { UsersRepository } from './users.repository.js';
import { normalizeEmail, UsersService } from './users.service.js';

const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly limiter: RateLimiter,
    private readonly emitter: EventEmitter2,
    private readonly queues: RedisAvailability,
    private readonly config: AppConfigService,
  ) {}

  /** Unknown email and wrong password get the same answer after the same work (one hash verification). */
  async login(input: LoginDto, clientIp: string): Promise<AccessTokenDto> {
    const email = normalizeEmail(input.email);
    const { perEmail, perIp } = this.loginLimits(email, clientIp);
    await this.limiter.hit(perIp);
    await this.limiter.assertBelow(perEmail);
    const user = await this.users.findByEmail(email);
    if (!(await this.hasher.verify(user?.password_hash, input.password)) || !user) {
      await this.limiter.hit(perEmail);
      throw new ApiError(HttpStatus.UNAUTHORIZED, ErrorCode.InvalidCredentials, 'Wrong email or password');
    }
    await this.limiter.reset(perEmail);
    return {
      access_token: await this.usersService.issueToken(user),
      token_type: 'Bearer',
      expires_in: this.config.auth.jwtExpiresInSeconds,
    };
  }

  /** Always succeeds from the caller's view, so it cannot be used to find out which emails exist. */
  async requestPasswordReset(rawEmail: string): Promise<void> {
    // Checked before the lookup, so the answer says nothing about whether the email exists.
    if (!this.queues.isAvailable()) throw resetUnavailable();
    const user = await this.users.findByEmail(normalizeEmail(rawEmail));
    if (!user) return;
    // The user id travels in the token, so confirming needs no index over token hashes.
    const token = `${user._id.toHexString()}.${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + RESET_TOKEN_TTL_MS);
    await this.users.setPasswordReset(user._id, sha256(token), expiresAt);
    const event: PasswordResetRequested = {
      tenant_id: TenantContext.tenantId(),
      user_id: user._id.toHexString(),
      email: user.email,
      name: user.name,
      token,
      expires_at: expiresAt.toISOString(),
    };
    // The email is the only way to the token: if it cannot be queued, the caller must hear so.
    await this.emitter.emitAsync(InternalEvent.PasswordResetRequested, event).catch(() => {
      throw resetUnavailable();
    });
  }

  async confirmPasswordReset(input: PasswordResetConfirmDto): Promise<void> {
    const userId = input.token.split('.')[0] ?? '';
    const invalid = new ApiError(
      HttpStatus.BAD_REQUEST,
      ErrorCode.InvalidToken,
      'The reset token is invalid or expired',
    );
    if (!isObjectIdHex(userId)) throw invalid;
    const passwordHash = await this.hasher.hash(input.password);
    const consumed = await this.users.consumePasswordReset(
      new Types.ObjectId(userId),
      sha256(input.token),
      passwordHash,
    );
    if (!consumed) throw invalid;
  }

  private loginLimits(email: string, clientIp: string): { perEmail: RateLimit; perIp: RateLimit } {
    const { maxFailuresPerEmail, maxAttemptsPerIp, windowSeconds } = this.config.loginRateLimit;
    const tenantId = TenantContext.tenantId();
    return {
      perEmail: { key: `login:email:${tenantId}:${sha256(email)}`, limit: maxFailuresPerEmail, windowSeconds },
      perIp: { key: `login:ip:${clientIp}`, limit: maxAttemptsPerIp, windowSeconds },
    };
  }
}

function resetUnavailable(): ApiError {
  return ApiError.unavailable('Password reset is unavailable; retry shortly');
}
