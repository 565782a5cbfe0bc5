// What rate limiting adds to a request, measured on the guard the API runs (RateLimitGuard on
// @nestjs/throttler, counters in Redis), 10,000 calls each; p50/p99 in ms. "Before" is a route
// without a limit: every authenticated data route (forms, responses, exports…) and the public form
// read. "After" is a limited route: a submission or upload (anonymous or not: its two limits, per
// client IP and form and per client IP across forms, counted by one script, and for comparison one
// by one as the throttler itself would), and a login (per-IP guard, then the failed-login counter,
// taken back on success).
// Usage: npm run bench (or, with Redis running: npm run build && REDIS_URL=… node bench/rate-limit-overhead.js)
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AttemptCounter } from '../dist/infrastructure/rate-limit/attempt-counter.js';
import { RateLimitName, RateLimitPolicies } from '../dist/infrastructure/rate-limit/rate-limit-policies.js';
import { RATE_LIMITS_KEY, RateLimitGuard } from '../dist/infrastructure/rate-limit/rate-limit.guard.js';
import { RedisRateLimitStorage } from '../dist/infrastructure/rate-limit/redis-rate-limit-storage.js';
import { throttlerOptions } from '../dist/infrastructure/rate-limit/throttler-options.js';
import { SharedRedis } from '../dist/infrastructure/redis/shared-redis.js';
import { percentiles } from './support/load.js';

const CALLS = 10_000;
const config = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queue: { prefix: `bench-${process.pid}` },
  rateLimits: {
    submissionsPerMinute: 1e9,
    publicUploadsPerMinute: 1e9,
    publicReadsPerMinute: 1e9,
    accountCallsPerMinute: 1e9,
    resetEmailsPerHour: 1e9,
    loginFailuresPerEmail: 1e9,
    loginsPerIp: 1e9,
    loginWindowSeconds: 900,
    submissionsPerClientPerMinute: 1e9,
    publicUploadsPerClientPerMinute: 1e9,
    apiKeyRequestsPerMinute: 1e9,
    invitationsPerTenantPerHour: 1e9,
  },
  credentialFailureLimits: {
    passwordChangeFailuresPerUser: 1e9,
    passwordChangeWindowSeconds: 900,
    adminKeyFailuresPerIp: 1e9,
    adminKeyWindowSeconds: 900,
  },
};
const policies = new RateLimitPolicies(config);
const redis = new SharedRedis(config);
await redis.whenReady(5_000);
const storage = new RedisRateLimitStorage(config, policies, redis);
const attempts = new AttemptCounter(storage, policies);
// The options RateLimitModule gives the throttler.
const guard = new RateLimitGuard(throttlerOptions(policies, storage), storage, new Reflector());
await guard.onModuleInit();

function handlerWith(...limits) {
  const handler = function handler() {};
  if (limits.length) Reflect.defineMetadata(RATE_LIMITS_KEY, limits, handler);
  return handler;
}
const contextFor = (handler, index) => {
  const request = { ip: `198.51.100.${index % 250}`, params: { form_id: '665f1c2e9b1d8a0012345678' }, headers: {} };
  return {
    getHandler: () => handler,
    getClass: () => class BenchController {},
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ header() {} }) }),
  };
};

async function measure(label, call) {
  for (let warm = 0; warm < 500; warm += 1) await call(warm);
  const samples = [];
  for (let index = 0; index < CALLS; index += 1) {
    const started = performance.now();
    await call(index);
    samples.push(performance.now() - started);
  }
  console.log(`${label.padEnd(58)} ${percentiles(samples, 3)}`);
}

console.log(`rate limiting, per request (${CALLS} calls each, Redis ${config.redisUrl})`);
const unlimited = handlerWith();
await measure('before: route without a limit (authenticated reads)', (index) =>
  guard.canActivate(contextFor(unlimited, index)),
);
// As the routes declare them: per form, then across forms.
const submission = handlerWith(RateLimitName.Submission, RateLimitName.SubmissionAnyForm);
await measure('after: submission or upload (2 limits, one script)', (index) =>
  guard.canActivate(contextFor(submission, index)),
);
// The throttler's own way, for comparison: one Redis round trip per limit, one after the other.
await measure('after: submission or upload (2 limits, one by one)', (index) =>
  ThrottlerGuard.prototype.canActivate.call(guard, contextFor(submission, index)),
);
const login = handlerWith(RateLimitName.Login);
await measure('after: login (per-IP guard + failed-login count/uncount)', async (index) => {
  await guard.canActivate(contextFor(login, index));
  await attempts.count(RateLimitName.LoginFailures, `bench:${index % 100}@example.com`);
  await attempts.uncount(RateLimitName.LoginFailures, `bench:${index % 100}@example.com`);
});
redis.onModuleDestroy();
