import { registerAs } from '@nestjs/config';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MinLength, validateSync } from 'class-validator';
import { ROLES, type Role } from '../auth/roles.js';
import { ApiKeyEnvironment } from './api-key-environment.js';
import { BoolVar, EmptyAsUnset, HttpUrlVar, IntVar, IsTrustProxySetting, SecretVar } from './environment-decorators.js';

/**
 * Every environment variable the processes read (groups in base classes: `ApiKeyEnvironment`). `.env.example`
 * documents each one; a missing or malformed value stops start-up with a single line naming the variable. */
export class Environment extends ApiKeyEnvironment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IntVar({ min: 0, max: 65535 })
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IntVar({ min: 0, max: 65535 })
  WORKER_METRICS_PORT = 0;

  /** Loopback by default: job metrics are for the scraper next to the worker, not for the network. */
  @IsString()
  @MinLength(1)
  WORKER_METRICS_HOST = '127.0.0.1';

  /** When set, `/metrics` (API and worker) answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  @SecretVar({ minLength: 16, optional: true })
  METRICS_TOKEN?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** On SIGTERM, what runs may finish for this long; then the process exits 1 (a store that is down never holds it). */
  @IntVar({ min: 1_000 })
  SHUTDOWN_TIMEOUT_MS = 30_000;

  @Matches(/^mongodb(\+srv)?:\/\/.+/, { message: 'must be a mongodb:// or mongodb+srv:// URL' })
  MONGO_URL!: string;

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL!: string;

  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 : _ -' })
  QUEUE_PREFIX = 'form-backend';

  @SecretVar({ minLength: 32 })
  JWT_SECRET!: string;

  @IntVar({ min: 60 })
  JWT_EXPIRES_IN_SECONDS = 3600;

  @SecretVar({ minLength: 16 })
  ADMIN_API_KEY!: string;

  /** The queue dashboard only shows (no retry, clean, promote, add or remove) unless this is false. */
  @BoolVar()
  QUEUE_DASHBOARD_READ_ONLY = true;

  @Matches(/^[a-z0-9-]{3,63}$/, { message: 'must be 3-63 characters of a-z 0-9 -' })
  DEFAULT_TENANT_ID = 'default';

  @BoolVar()
  ENABLE_TENANT_ISOLATION = false;

  /** When set, applied to the default tenant at every start; unset, the stored setting stands. */
  @EmptyAsUnset()
  @IsOptional()
  @IsIn(['invite_only', 'open'])
  DEFAULT_TENANT_REGISTRATION?: 'invite_only' | 'open';

  @Matches(/^https?:\/\/[^\s]+[^/\s]$/, { message: 'must be an http(s) URL without a trailing slash' })
  APP_URL = 'http://localhost:3000';

  @IntVar({ min: 100 })
  SESSION_CACHE_TTL_MS = 60_000;

  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL = 'smtp://127.0.0.1:1025';

  @IsString()
  @MinLength(3)
  MAIL_FROM = 'Form Backend <no-reply@localhost>';

  // Autoresponses: per address of a tenant and per form, each an hour (beyond: stored, not emailed).
  @IntVar({ min: 1 })
  AUTORESPONSE_PER_ADDRESS_PER_HOUR = 3;

  @IntVar({ min: 1 })
  AUTORESPONSE_PER_FORM_PER_HOUR = 200;

  @IntVar({ min: 1, max: 64 })
  QUEUE_CONCURRENCY = 4;

  @IntVar({ min: 1, max: 20 })
  QUEUE_ATTEMPTS = 3;

  @IntVar({ min: 0 })
  QUEUE_BACKOFF_MS = 60_000;

  @IntVar({ min: 1000 })
  QUEUE_JOB_TIMEOUT_MS = 300_000;

  @IntVar({ min: 100 })
  QUEUE_SUSPENDED_TENANT_DELAY_MS = 300_000;

  /** How long a job stays locked to its worker without renewal (renewed every half of it while it runs). */
  @IntVar({ min: 1000 })
  QUEUE_LOCK_DURATION_MS = 30_000;

  /** How often each worker looks for jobs whose worker died (their lock expired) and queues them again. */
  @IntVar({ min: 1000 })
  QUEUE_STALLED_INTERVAL_MS = 30_000;

  @IntVar({ min: 1024 })
  BODY_LIMIT_BYTES = 1_048_576;

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /**
   * Which proxies may name the client in `X-Forwarded-For`: a hop count, or a comma-separated list of
   * their addresses or CIDR ranges. Empty trusts nothing: the client is the TCP peer.
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsOptional()
  @IsTrustProxySetting()
  TRUST_PROXY?: string;

  @IntVar({ min: 1 })
  RATE_LIMIT_SUBMISSIONS_PER_MINUTE = 30;

  @IntVar({ min: 1 })
  RATE_LIMIT_PUBLIC_UPLOADS_PER_MINUTE = 30;

  @IntVar({ min: 1 })
  RATE_LIMIT_PUBLIC_READS_PER_MINUTE = 120;

  @IntVar({ min: 1 })
  RATE_LIMIT_ACCOUNT_CALLS_PER_MINUTE = 10;

  @IntVar({ min: 1 })
  RATE_LIMIT_RESET_EMAILS_PER_HOUR = 3;

  @IntVar({ min: 1 })
  LOGIN_MAX_FAILURES_PER_EMAIL = 10;

  @IntVar({ min: 1 })
  LOGIN_MAX_ATTEMPTS_PER_IP = 100;

  @IntVar({ min: 1 })
  LOGIN_RATE_WINDOW_SECONDS = 900;

  @IntVar({ min: 100 })
  EVENT_RELAY_INTERVAL_MS = 5_000;

  @IntVar({ min: 0 })
  EVENT_RELAY_GRACE_MS = 30_000;

  @IntVar({ min: 100 })
  EVENT_RETRY_MS = 5_000;

  @IntVar({ min: 100 })
  EVENT_PUBLISH_TIMEOUT_MS = 2_000;

  @BoolVar()
  WEBHOOK_ALLOW_PRIVATE = false;

  /** DNS servers (`ip` or `ip:port`, comma-separated) for webhook hosts; empty: the system resolver. */
  @IsOptional()
  @Matches(/^$|^[0-9a-fA-F.:[\]]+(\s*,\s*[0-9a-fA-F.:[\]]+)*$/, {
    message: 'must be a comma-separated list of ip or ip:port',
  })
  WEBHOOK_DNS_SERVERS?: string;

  @IntVar({ min: 100 })
  WEBHOOK_TIMEOUT_MS = 10_000;

  @IntVar({ min: 1, max: 20 })
  WEBHOOK_ATTEMPTS = 5;

  @IntVar({ min: 0 })
  WEBHOOK_BACKOFF_MS = 30_000;

  /** Captcha verify APIs (form-encoded `secret`, `response`, `remoteip`; JSON `success`), one per provider. */
  @HttpUrlVar() CAPTCHA_TURNSTILE_VERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
  @HttpUrlVar() CAPTCHA_HCAPTCHA_VERIFY_URL = 'https://api.hcaptcha.com/siteverify';
  @HttpUrlVar() CAPTCHA_RECAPTCHA_VERIFY_URL = 'https://www.google.com/recaptcha/api/siteverify';
  /** A verification not answered within this answers `503 captcha_unavailable`. */
  @IntVar({ min: 100, max: 60_000 }) CAPTCHA_VERIFY_TIMEOUT_MS = 5_000;

  /** Where earlier releases kept file bytes on local disk; read only by migration 002 (bytes now live in GridFS). */
  @IsString()
  @MinLength(1)
  FILE_STORAGE_DIR = '.data/files';

  /** Export files are erased this long after completion; their download then answers 410. */
  @IntVar({ min: 1 })
  EXPORT_TTL_HOURS = 168;

  /** How often the worker sweeps expired exports and unused anonymous uploads. */
  @IntVar({ min: 1_000 })
  HOUSEKEEPING_INTERVAL_MS = 3_600_000;

  /** How often the retention job runs (daily): responses past a tenant's limit, audit entries past theirs. */
  @IntVar({ min: 1_000 })
  RETENTION_INTERVAL_MS = 86_400_000;

  /** Audit log entries older than this many days are erased by the retention job. */
  @IntVar({ min: 1 })
  AUDIT_RETENTION_DAYS = 365;

  /** Documents an erasure (of a form, a tenant, or by retention) removes at a time. */
  @IntVar({ min: 1 })
  ERASURE_BATCH_SIZE = 500;

  /**
   * How long (ms) a tenant's erasure keeps sweeping while one of its jobs still runs or documents
   * reappear, before it fails to be retried.
   */
  @IntVar({ min: 0 })
  TENANT_ERASURE_WAIT_MS = 45_000;

  /** A deleted tenant's id cannot be given to a new tenant for this many days (`409 conflict`). */
  @IntVar({ min: 0 })
  DELETED_TENANT_ID_HOLD_DAYS = 30;

  /** The role migration 001 gives v1 users, who had none. */
  @IsIn(ROLES)
  MIGRATION_V1_ROLE: Role = 'editor';

  /** Documents a migration reads and writes at a time. */
  @IntVar({ min: 1 })
  MIGRATION_BATCH_SIZE = 1_000;

  /** A migration lock whose runner has not beaten for this long may be taken over with `--force`. */
  @IntVar({ min: 10 })
  MIGRATION_LOCK_STALE_SECONDS = 300;

  @IntVar({ min: 1 })
  FILE_MAX_BYTES = 10_485_760;

  /**
   * Bytes anonymous visitors may upload to one tenant per UTC day (1 GiB); beyond it `413`. Reserved
   * in Redis before the bytes are stored, so parallel uploads cannot all pass it.
   */
  @IntVar({ min: 1, max: Number.MAX_SAFE_INTEGER })
  PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY = 1_073_741_824;

  /** Wrong `current_password` answers to `POST /auth/password` per user, within the window below. */
  @IntVar({ min: 1 })
  PASSWORD_CHANGE_MAX_FAILURES = 10;

  @IntVar({ min: 1 })
  PASSWORD_CHANGE_RATE_WINDOW_SECONDS = 900;

  /** Wrong or missing admin keys (admin API, queue dashboard) per client IP, within the window below. */
  @IntVar({ min: 1 })
  ADMIN_KEY_MAX_FAILURES_PER_IP = 10;

  @IntVar({ min: 1 })
  ADMIN_KEY_RATE_WINDOW_SECONDS = 60;

  /** Invitations the tenant's members send per hour (operators' invitations are not counted). */
  @IntVar({ min: 1 })
  RATE_LIMIT_INVITATIONS_PER_TENANT_PER_HOUR = 50;

  /**
   * Submissions per client IP per minute across every form of every tenant, on top of the per-form
   * limit: one client spreading over many forms must not multiply the work it makes the API do.
   */
  @IntVar({ min: 1 })
  RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE = 60;

  /** Anonymous uploads per client IP per minute across every form of every tenant, as above. */
  @IntVar({ min: 1 })
  RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE = 60;
}

/** Validates `process.env`-shaped input; throws a single line naming every bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const environment = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(environment, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const problems = errors.map((error) => {
      const reason = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
      const state = error.value === undefined || error.value === '' ? 'missing' : 'invalid';
      return `${error.property} is ${state} (${reason})`;
    });
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return environment;
}

export const ENVIRONMENT_NAMESPACE = 'environment';

export const environmentConfig = registerAs(ENVIRONMENT_NAMESPACE, () => validateEnvironment(process.env));
