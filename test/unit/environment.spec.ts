import { describe, expect, it } from '@jest/globals';
import { validateEnvironment } from '../../src/infrastructure/config/environment.js';

const valid = {
  MONGO_URL: 'mongodb://127.0.0.1:27017/form_backend',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'x'.repeat(32),
  ADMIN_API_KEY: 'k'.repeat(16),
};

describe('validateEnvironment', () => {
  it('fills documented defaults and converts types', () => {
    const environment = validateEnvironment({ ...valid, PORT: '8080', ENABLE_TENANT_ISOLATION: 'true' });
    expect(environment).toMatchObject({
      PORT: 8080,
      ENABLE_TENANT_ISOLATION: true,
      DEFAULT_TENANT_ID: 'default',
      QUEUE_ATTEMPTS: 3,
      QUEUE_BACKOFF_MS: 60_000,
      QUEUE_JOB_TIMEOUT_MS: 300_000,
      QUEUE_CONCURRENCY: 4,
      BODY_LIMIT_BYTES: 1_048_576,
    });
  });

  it('reads "false" as false', () => {
    expect(validateEnvironment({ ...valid, ENABLE_TENANT_ISOLATION: 'false' }).ENABLE_TENANT_ISOLATION).toBe(false);
  });

  it('names every missing variable in one line', () => {
    expect(() => validateEnvironment({})).toThrow(
      /^Invalid configuration: MONGO_URL is missing .*; REDIS_URL is missing .*; JWT_SECRET is missing .*; ADMIN_API_KEY is missing [^\n]*$/,
    );
  });

  it('names a malformed variable and says why', () => {
    expect(() => validateEnvironment({ ...valid, REDIS_URL: 'localhost:6379' })).toThrow(
      'Invalid configuration: REDIS_URL is invalid (must be a redis:// or rediss:// URL)',
    );
    expect(() => validateEnvironment({ ...valid, PORT: 'eighty' })).toThrow(/PORT is invalid/);
    expect(() => validateEnvironment({ ...valid, DEFAULT_TENANT_ID: 'No Spaces' })).toThrow(
      /DEFAULT_TENANT_ID is invalid/,
    );
  });

  it('takes TRUST_PROXY as a hop count or a list of addresses and ranges, and nothing else', () => {
    for (const setting of ['', '1', '10.0.0.0/8', '10.0.0.1, 192.168.0.0/16', 'fd00::/8']) {
      expect(validateEnvironment({ ...valid, TRUST_PROXY: setting }).TRUST_PROXY).toBe(setting);
    }
    for (const setting of ['true', 'loopback', '10.0.0.0/33', '1,x']) {
      expect(() => validateEnvironment({ ...valid, TRUST_PROXY: setting })).toThrow(
        'Invalid configuration: TRUST_PROXY is invalid (must be a hop count or a comma-separated list of IP addresses and CIDR ranges)',
      );
    }
  });

  it('takes the migration settings with their defaults, a v1 role only among the roles', () => {
    expect(validateEnvironment(valid)).toMatchObject({
      MIGRATION_V1_ROLE: 'editor',
      MIGRATION_BATCH_SIZE: 1000,
      MIGRATION_LOCK_STALE_SECONDS: 300,
    });
    expect(validateEnvironment({ ...valid, MIGRATION_V1_ROLE: 'owner' }).MIGRATION_V1_ROLE).toBe('owner');
    expect(() => validateEnvironment({ ...valid, MIGRATION_V1_ROLE: 'admin' })).toThrow(/MIGRATION_V1_ROLE is invalid/);
    expect(() => validateEnvironment({ ...valid, MIGRATION_BATCH_SIZE: '0' })).toThrow(
      /MIGRATION_BATCH_SIZE is invalid/,
    );
  });

  it('takes the anonymous upload allowance and the credential failure limits with their defaults, positive only', () => {
    expect(validateEnvironment(valid)).toMatchObject({
      PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY: 1_073_741_824,
      PASSWORD_CHANGE_MAX_FAILURES: 10,
      PASSWORD_CHANGE_RATE_WINDOW_SECONDS: 900,
      ADMIN_KEY_MAX_FAILURES_PER_IP: 10,
      ADMIN_KEY_RATE_WINDOW_SECONDS: 60,
    });
    expect(
      validateEnvironment({ ...valid, PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY: '5000' })
        .PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY,
    ).toBe(5000);
    for (const [name, value] of [
      ['PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY', '0'],
      ['PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY', '1GB'],
      ['PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY', String(2 ** 60)],
      ['PASSWORD_CHANGE_MAX_FAILURES', '0'],
      ['ADMIN_KEY_MAX_FAILURES_PER_IP', '-1'],
      ['ADMIN_KEY_RATE_WINDOW_SECONDS', '1.5'],
    ]) {
      expect(() => validateEnvironment({ ...valid, [name]: value })).toThrow(`${name} is invalid`);
    }
  });

  it('takes the limits per client IP across forms with their defaults, positive whole numbers only', () => {
    expect(validateEnvironment(valid)).toMatchObject({
      RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE: 60,
      RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE: 60,
    });
    expect(
      validateEnvironment({ ...valid, RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE: '120' })
        .RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE,
    ).toBe(120);
    for (const [name, value] of [
      ['RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE', '0'],
      ['RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE', 'many'],
      ['RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE', '-5'],
      ['RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE', '2.5'],
    ]) {
      expect(() => validateEnvironment({ ...valid, [name]: value })).toThrow(`${name} is invalid`);
    }
  });

  it('keeps METRICS_TOKEN optional but long and not a placeholder when set', () => {
    expect(validateEnvironment({ ...valid, METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    expect(() => validateEnvironment({ ...valid, METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN is invalid');
  });

  it('refuses the placeholder secrets of .env.example', () => {
    expect(() =>
      validateEnvironment({ ...valid, JWT_SECRET: 'change-me-to-a-random-string-of-at-least-32-characters' }),
    ).toThrow('JWT_SECRET is invalid (must be replaced by a random secret)');
  });
});
