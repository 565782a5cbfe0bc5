import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { SingleUseToken } from '../../infrastructure/auth/single-use-token.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { AttemptCounter } from '../../infrastructure/rate-limit/attempt-counter.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService, EventType } from '../events/index.js';
import type { PasswordResetConfirmDto } from './dto/auth.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionsService } from './sessions.service.js';
import { UsersRepository } from './users.repository.js';
import { normalizeEmail } from './users.service.js';

const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

/** What the reset email needs: the link is the only place its token ever is. */
export interface PasswordResetEmail {
  email: string;
  name: string;
  link: string;
  expires_at: Date;
}

/**
 * Password reset by email. The request only records that a reset was asked for (a durable event);
 * the worker mints the token when it sends the email, so the token never sits in a queue, an event
 * or a log. A newer email's token replaces an older one's.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly events: EventDispatcherService,
    private readonly config: AppConfigService,
    private readonly attempts: AttemptCounter,
  ) {}

  /**
   * Always succeeds from the caller's view, so it cannot be used to find out which emails exist. Past
   * `RATE_LIMIT_RESET_EMAILS_PER_HOUR` requests for one address (existing or not): `429`.
   */
  async request(rawEmail: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    await this.attempts.count(RateLimitName.ResetEmails, `${TenantContext.tenantId()}:${email}`);
    const user = await this.users.findByEmail(email);
    if (!user) return;
    const userId = user._id.toHexString();
    await this.events.emitWith({
      type: EventType.PasswordResetRequested,
      entityId: userId,
      payload: { user_id: userId },
      write: () => this.users.markPasswordResetRequested(user._id),
      happened: (marked) => marked,
    });
  }

  /** Checks the token before the costly hash of the new password; consuming it revokes every session. */
  async confirm(input: PasswordResetConfirmDto): Promise<void> {
    const userId = SingleUseToken.documentId(input.token);
    const pending = userId ? await this.users.pendingPasswordReset(userId) : null;
    if (
      !userId ||
      !pending ||
      pending.expires_at <= new Date() ||
      !SingleUseToken.matches(input.token, pending.token_hash)
    ) {
      throw invalidResetToken();
    }
    const passwordHash = await this.hasher.hash(input.password);
    if (!(await this.users.consumePasswordReset(userId, SingleUseToken.hash(input.token), passwordHash))) {
      throw invalidResetToken();
    }
    await this.sessions.revoked(userId.toHexString());
  }

  /** Worker side: mints the token the email carries; null when the user is gone. */
  async issueEmail(userId: string): Promise<PasswordResetEmail | null> {
    const id = new Types.ObjectId(userId);
    const user = await this.users.findById(id);
    if (!user) return null;
    const { token, hash } = SingleUseToken.mint(id);
    const expiresAt = new Date(Date.now() + RESET_TOKEN_TTL_MS);
    await this.users.setPasswordReset(id, hash, expiresAt);
    return {
      email: user.email,
      name: user.name,
      link: this.config.appLink('/reset-password', { tenant: TenantContext.tenantId(), token }),
      expires_at: expiresAt,
    };
  }
}

function invalidResetToken(): ApiError {
  return ApiError.invalidToken('The reset token is invalid, used or expired');
}
