import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';

const LIFTED_RATE_LIMITS = {
  RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '100000',
  RATE_LIMIT_PUBLIC_UPLOADS_PER_MINUTE: '100000',
  RATE_LIMIT_PUBLIC_READS_PER_MINUTE: '100000',
  RATE_LIMIT_ACCOUNT_CALLS_PER_MINUTE: '100000',
  RATE_LIMIT_RESET_EMAILS_PER_HOUR: '100000',
  LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
  ADMIN_KEY_MAX_FAILURES_PER_IP: '100000',
  RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE: '100000',
  RATE_LIMIT_PUBLIC_UPLOADS_PER_CLIENT_PER_MINUTE: '100000',
};

/**
 * Gives one test file its own database and queue prefix on the shared stores, so files can run in
 * parallel, and sets every variable the app needs. Call it before the app module is compiled.
 */
export function useTestEnvironment(
  name: string,
  overrides: Record<string, string> = {},
): { database: string; queuePrefix: string } {
  const baseUrl = process.env.MONGO_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!baseUrl || !redisUrl) throw new Error('MONGO_URL and REDIS_URL must be set (run `npm test`)');
  const suffix = randomBytes(4).toString('hex');
  const database = `test_${name.replace(/[^a-z0-9]/gi, '_')}_${suffix}`.slice(0, 60);
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  const queuePrefix = `test-${name}-${suffix}`;
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGO_URL: url.toString(),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    FILE_STORAGE_DIR: join(tmpdir(), 'form-backend-test-files', queuePrefix),
    // Every test client is 127.0.0.1: per-IP limits are lifted unless a test sets its own.
    ...LIFTED_RATE_LIMITS,
    ...overrides,
  });
  return { database, queuePrefix };
}
