import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service.js';

/** Every counter the product keeps; the names appear in Redis keys and in logs. */
export const RateLimitName = {
  /** Submissions per client IP per form. */
  Submission: 'submission',
  /**
   * Submissions per client IP across every form (of every tenant): the per-form limit alone lets one
   * client multiply the work it makes the process do by the number of forms it can name.
   */
  SubmissionAnyForm: 'submission-any-form',
  /** Anonymous uploads to a published form, per client IP per form. */
  PublicUpload: 'public-upload',
  /** Anonymous uploads per client IP across every form (of every tenant), as for submissions. */
  PublicUploadAnyForm: 'public-upload-any-form',
  /** Reads of a published form (what an embedding page loads), per client IP per form. */
  PublicRead: 'public-read',
  /** Register, invitation-accept and password-reset calls per client IP (one bucket for all of them). */
  Account: 'account',
  /** Login calls per client IP. */
  Login: 'login',
  /** Failed logins per email of a tenant, counted before the password is checked. */
  LoginFailures: 'login-failures',
  /** Reset emails per address of a tenant. */
  ResetEmails: 'reset-emails',
  /** Wrong current passwords given to `POST /auth/password`, per user of a tenant. */
  PasswordChangeFailures: 'password-change-failures',
  /** Wrong or missing admin keys (admin API, queue dashboard), per client IP. */
  AdminKeyFailures: 'admin-key-failures',
  /** Invitation emails the members of a tenant send. */
  Invitations: 'invitations',
  /** Requests made with one API key, whatever the route. */
  ApiKeyRequests: 'api-key-requests',
} as const;

export type RateLimitName = (typeof RateLimitName)[keyof typeof RateLimitName];

/** The limits routes declare with `@RateLimited`; the others are counted by services. */
export type RouteRateLimitName =
  | typeof RateLimitName.Submission
  | typeof RateLimitName.SubmissionAnyForm
  | typeof RateLimitName.PublicUpload
  | typeof RateLimitName.PublicUploadAnyForm
  | typeof RateLimitName.PublicRead
  | typeof RateLimitName.Account
  | typeof RateLimitName.Login;

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
  /**
   * What a request gets while Redis cannot count it: submissions and uploads go through (refusing
   * them would lose respondents' data), logins, password changes and admin keys are refused (`503`)
   * so secrets cannot be guessed unthrottled during an outage.
   */
  whenUncounted: 'allow' | 'refuse';
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The configured number and window of every limit (see `.env.example`). */
@Injectable()
export class RateLimitPolicies {
  private readonly policies: Record<RateLimitName, RateLimitPolicy>;

  constructor(config: AppConfigService) {
    const limits = config.rateLimits;
    const failures = config.credentialFailureLimits;
    const loginWindowMs = limits.loginWindowSeconds * 1000;
    this.policies = {
      [RateLimitName.Submission]: { limit: limits.submissionsPerMinute, windowMs: MINUTE_MS, whenUncounted: 'allow' },
      [RateLimitName.PublicUpload]: {
        limit: limits.publicUploadsPerMinute,
        windowMs: MINUTE_MS,
        whenUncounted: 'allow',
      },
      [RateLimitName.SubmissionAnyForm]: {
        limit: limits.submissionsPerClientPerMinute,
        windowMs: MINUTE_MS,
        whenUncounted: 'allow',
      },
      [RateLimitName.PublicUploadAnyForm]: {
        limit: limits.publicUploadsPerClientPerMinute,
        windowMs: MINUTE_MS,
        whenUncounted: 'allow',
      },
      [RateLimitName.PublicRead]: { limit: limits.publicReadsPerMinute, windowMs: MINUTE_MS, whenUncounted: 'allow' },
      [RateLimitName.Account]: { limit: limits.accountCallsPerMinute, windowMs: MINUTE_MS, whenUncounted: 'allow' },
      [RateLimitName.Login]: { limit: limits.loginsPerIp, windowMs: loginWindowMs, whenUncounted: 'refuse' },
      [RateLimitName.LoginFailures]: {
        limit: limits.loginFailuresPerEmail,
        windowMs: loginWindowMs,
        whenUncounted: 'refuse',
      },
      [RateLimitName.ResetEmails]: { limit: limits.resetEmailsPerHour, windowMs: HOUR_MS, whenUncounted: 'allow' },
      [RateLimitName.PasswordChangeFailures]: {
        limit: failures.passwordChangeFailuresPerUser,
        windowMs: failures.passwordChangeWindowSeconds * 1000,
        whenUncounted: 'refuse',
      },
      [RateLimitName.AdminKeyFailures]: {
        limit: failures.adminKeyFailuresPerIp,
        windowMs: failures.adminKeyWindowSeconds * 1000,
        whenUncounted: 'refuse',
      },
      [RateLimitName.ApiKeyRequests]: {
        limit: limits.apiKeyRequestsPerMinute,
        windowMs: MINUTE_MS,
        whenUncounted: 'allow',
      },
      [RateLimitName.Invitations]: {
        limit: limits.invitationsPerTenantPerHour,
        windowMs: HOUR_MS,
        whenUncounted: 'allow',
      },
    };
  }

  of(name: RateLimitName): RateLimitPolicy {
    return this.policies[name];
  }
}
