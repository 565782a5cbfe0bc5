// What authenticating an API key (`Authorization: Bearer fbk_…`) costs per request: the key's lookup
// alone (hash + in-process cache, as while the Redis invalidation channel is up), the whole check
// (lookup, expiry, the per-key rate count in Redis; `last_used_at` is written at most once a minute,
// so not per call), and the whole check with the cache bypassed (store read each time, as while that
// channel is down or cannot be shown to carry every revocation). 10,000 calls each; p50/p99 in ms.
// Usage: npm run bench -- api-key-auth (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/api-key-auth.js)
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import mongoose from 'mongoose';
import { MissedAnnouncements } from '../dist/infrastructure/cache/missed-announcements.js';
import { AttemptCounter } from '../dist/infrastructure/rate-limit/attempt-counter.js';
import { RedisRateLimitStorage } from '../dist/infrastructure/rate-limit/redis-rate-limit-storage.js';
import { SharedRedis } from '../dist/infrastructure/redis/shared-redis.js';
import { TenantContext } from '../dist/infrastructure/tenancy/tenant-context.js';
import { tenantScopePlugin } from '../dist/infrastructure/tenancy/tenant-scope.plugin.js';
import { ApiKeySecret } from '../dist/modules/api-keys/api-key-secret.js';
import { ApiKeyVerifier } from '../dist/modules/api-keys/api-key-verifier.js';
import { ApiKey, ApiKeySchema } from '../dist/modules/api-keys/api-key.schema.js';
import { ApiKeysRepository } from '../dist/modules/api-keys/api-keys.repository.js';
import { benchDatabaseUrl, percentiles } from './support/load.js';

const CALLS = 10_000;
// Each uncached lookup enters the system scope, which logs at debug level: not part of the figures.
Logger.overrideLogger(['error', 'warn']);
const connection = await mongoose.createConnection(benchDatabaseUrl('api_key_auth')).asPromise();
connection.plugin(tenantScopePlugin);
const model = connection.model(ApiKey.name, ApiKeySchema);
await model.init();
const keys = new ApiKeysRepository(model);
const config = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queue: { prefix: 'bench' },
  auth: { sessionCacheTtlMs: 60_000 },
};
const redis = new SharedRedis(config);
// No limit is reached here: the count's cost is what is measured.
const policies = { of: () => ({ limit: 1_000_000_000, windowMs: 60_000, whenUncounted: 'allow' }) };
const attempts = new AttemptCounter(new RedisRateLimitStorage(config, policies, redis), policies);
const verifier = new ApiKeyVerifier(keys, attempts, config, redis, new MissedAnnouncements(connection));

const minted = ApiKeySecret.mint();
await TenantContext.runForTenant('bench', () =>
  keys.create({
    name: 'bench',
    role: 'editor',
    prefix: minted.prefix,
    key_hash: minted.hash,
    expires_at: null,
    created_by: new mongoose.Types.ObjectId().toHexString(),
  }),
);

async function measure(label, check) {
  const samples = [];
  for (let call = 0; call < CALLS; call += 1) {
    const started = performance.now();
    await check();
    samples.push(performance.now() - started);
  }
  console.log(`${label.padEnd(44)} ${CALLS} calls  ${percentiles(samples)}`);
}

const live = () => verifier.channel.isLive;
verifier.onModuleInit();
for (let waited = 0; !live() && waited < 5_000; waited += 50) await sleep(50);
if (!live()) throw new Error('the invalidation channel did not come up');
await measure('key lookup: hash + cache', () => verifier.lookup(ApiKeySecret.hash(minted.key)));
await measure('whole check: lookup + rate count (cached)', () => verifier.authenticate(minted.key));
verifier.onApplicationShutdown();
for (let waited = 0; live() && waited < 5_000; waited += 50) await sleep(50);
await measure('whole check, uncached (store read + count)', () => verifier.authenticate(minted.key));

redis.onModuleDestroy();
await connection.dropDatabase();
await connection.close();
