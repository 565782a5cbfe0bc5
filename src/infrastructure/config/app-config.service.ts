import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ENVIRONMENT_NAMESPACE, type Environment } from './environment.js';

/** Typed, grouped access to the validated environment; the only place that reads configuration. */
@Injectable()
export class AppConfigService {
  private readonly environment: Environment;

  constructor(config: ConfigService) {
    this.environment = config.getOrThrow<Environment>(ENVIRONMENT_NAMESPACE);
  }

  private get<K extends keyof Environment>(key: K): Environment[K] {
    return this.environment[key];
  }

  get http() {
    return {
      port: this.get('PORT'),
      host: this.get('HOST'),
      workerMetricsPort: this.get('WORKER_METRICS_PORT'),
      workerMetricsHost: this.get('WORKER_METRICS_HOST'),
      metricsToken: this.get('METRICS_TOKEN'),
      bodyLimitBytes: this.get('BODY_LIMIT_BYTES'),
      trustProxy: this.get('TRUST_PROXY'),
      corsOrigins: (this.get('CORS_ORIGINS') ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    };
  }

  get logLevel(): string {
    return this.get('LOG_LEVEL');
  }

  get mongoUrl(): string {
    return this.get('MONGO_URL');
  }

  get redisUrl(): string {
    return this.get('REDIS_URL');
  }

  get queue() {
    return {
      prefix: this.get('QUEUE_PREFIX'),
      concurrency: this.get('QUEUE_CONCURRENCY'),
      attempts: this.get('QUEUE_ATTEMPTS'),
      backoffMs: this.get('QUEUE_BACKOFF_MS'),
      jobTimeoutMs: this.get('QUEUE_JOB_TIMEOUT_MS'),
      suspendedTenantDelayMs: this.get('QUEUE_SUSPENDED_TENANT_DELAY_MS'),
      lockDurationMs: this.get('QUEUE_LOCK_DURATION_MS'),
      stalledIntervalMs: this.get('QUEUE_STALLED_INTERVAL_MS'),
    };
  }

  get auth() {
    return {
      jwtSecret: this.get('JWT_SECRET'),
      jwtExpiresInSeconds: this.get('JWT_EXPIRES_IN_SECONDS'),
      adminApiKey: this.get('ADMIN_API_KEY'),
      queueDashboardReadOnly: this.get('QUEUE_DASHBOARD_READ_ONLY'),
      sessionCacheTtlMs: this.get('SESSION_CACHE_TTL_MS'),
    };
  }

  get rateLimits() {
    return {
      submissionsPerMinute: this.get('RATE_LIMIT_SUBMISSIONS_PER_MINUTE'),
      publicUploadsPerMinute: this.get('RATE_LIMIT_PUBLIC_UPLOADS_PER_MINUTE'),
      publicReadsPerMinute: this.get('RATE_LIMIT_PUBLIC_READS_PER_MINUTE'),
      accountCallsPerMinute: this.get('RATE_LIMIT_ACCOUNT_CALLS_PER_MINUTE'),
      resetEmailsPerHour: this.get('RATE_LIMIT_RESET_EMAILS_PER_HOUR'),
      loginFailuresPerEmail: this.get('LOGIN_MAX_FAILURES_PER_EMAIL'),
      loginsPerIp: this.get('LOGIN_MAX_ATTEMPTS_PER_IP'),
      loginWindowSeconds: this.get('LOGIN_RATE_WINDOW_SECONDS'),
      invitationsPerTenantPerHour: this.get('RATE_LIMIT_INVITATIONS_PER_TENANT_PER_HOUR'),
      submissionsPerClientPerMinute: this.get('RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE'),
      publicUploadsPerClientPerMinute: this.get('RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE'),
      apiKeyRequestsPerMinute: this.get('API_KEY_REQUESTS_PER_MINUTE'),
    };
  }

  get events() {
    return {
      relayIntervalMs: this.get('EVENT_RELAY_INTERVAL_MS'),
      graceMs: this.get('EVENT_RELAY_GRACE_MS'),
      retryMs: this.get('EVENT_RETRY_MS'),
      publishTimeoutMs: this.get('EVENT_PUBLISH_TIMEOUT_MS'),
    };
  }

  get webhooks() {
    return {
      allowPrivate: this.get('WEBHOOK_ALLOW_PRIVATE'),
      dnsServers: (this.get('WEBHOOK_DNS_SERVERS') ?? '')
        .split(',')
        .map((server) => server.trim())
        .filter(Boolean),
      timeoutMs: this.get('WEBHOOK_TIMEOUT_MS'),
      attempts: this.get('WEBHOOK_ATTEMPTS'),
      backoffMs: this.get('WEBHOOK_BACKOFF_MS'),
    };
  }

  /** Each captcha provider's verify URL, and how long a verification may take. */
  get captcha() {
    return {
      verifyUrls: {
        turnstile: this.get('CAPTCHA_TURNSTILE_VERIFY_URL'),
        hcaptcha: this.get('CAPTCHA_HCAPTCHA_VERIFY_URL'),
        recaptcha: this.get('CAPTCHA_RECAPTCHA_VERIFY_URL'),
      },
      timeoutMs: this.get('CAPTCHA_VERIFY_TIMEOUT_MS'),
    };
  }

  get files() {
    return { legacyStorageDir: this.get('FILE_STORAGE_DIR'), maxBytes: this.get('FILE_MAX_BYTES') };
  }

  get exports() {
    return { ttlHours: this.get('EXPORT_TTL_HOURS') };
  }

  get housekeeping() {
    return { intervalMs: this.get('HOUSEKEEPING_INTERVAL_MS') };
  }

  get erasure() {
    return {
      retentionIntervalMs: this.get('RETENTION_INTERVAL_MS'),
      auditRetentionDays: this.get('AUDIT_RETENTION_DAYS'),
      batchSize: this.get('ERASURE_BATCH_SIZE'),
      tenantWaitMs: this.get('TENANT_ERASURE_WAIT_MS'),
      deletedTenantIdHoldDays: this.get('DELETED_TENANT_ID_HOLD_DAYS'),
    };
  }

  get migrations() {
    return {
      v1Role: this.get('MIGRATION_V1_ROLE'),
      batchSize: this.get('MIGRATION_BATCH_SIZE'),
      lockStaleMs: this.get('MIGRATION_LOCK_STALE_SECONDS') * 1000,
    };
  }

  get tenancy() {
    return {
      defaultTenantId: this.get('DEFAULT_TENANT_ID'),
      isolationEnabled: this.get('ENABLE_TENANT_ISOLATION'),
      defaultTenantRegistration: this.get('DEFAULT_TENANT_REGISTRATION'),
    };
  }

  /** A link into the web app (`APP_URL`), as emails carry them. */
  appLink(path: '/accept-invitation' | '/reset-password', query: Record<string, string>): string {
    return `${this.get('APP_URL')}${path}?${new URLSearchParams(query).toString()}`;
  }

  get mail() {
    return { smtpUrl: this.get('SMTP_URL'), from: this.get('MAIL_FROM') };
  }

  /** Autoresponses sent per address of a tenant, and per form, each an hour. */
  get autoresponseLimits() {
    return {
      perAddressPerHour: this.get('AUTORESPONSE_PER_ADDRESS_PER_HOUR'),
      perFormPerHour: this.get('AUTORESPONSE_PER_FORM_PER_HOUR'),
    };
  }

  /** Bytes anonymous visitors may upload to one tenant per UTC day. */
  get publicUploadBytesPerTenantPerDay(): number {
    return this.get('PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY');
  }

  /** Failed password changes per user, and failed admin keys per client IP, each in its own window. */
  get credentialFailureLimits() {
    return {
      passwordChangeFailuresPerUser: this.get('PASSWORD_CHANGE_MAX_FAILURES'),
      passwordChangeWindowSeconds: this.get('PASSWORD_CHANGE_RATE_WINDOW_SECONDS'),
      adminKeyFailuresPerIp: this.get('ADMIN_KEY_MAX_FAILURES_PER_IP'),
      adminKeyWindowSeconds: this.get('ADMIN_KEY_RATE_WINDOW_SECONDS'),
    };
  }
}
