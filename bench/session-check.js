// What checking a token's session costs per authenticated request: verifying the JWT alone, then the
// JWT plus the session check (token version cached in process, as while the Redis invalidation channel
// is up), then the JWT plus the check read from the store (as while that channel is down).
// 10,000 calls each; p50/p99 in ms.
// Usage: npm run bench (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/session-check.js)
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtService } from '@nestjs/jwt';
import mongoose from 'mongoose';
import { AccessTokenService } from '../dist/infrastructure/auth/access-token.service.js';
import { SharedRedis } from '../dist/infrastructure/redis/shared-redis.js';
import { TenantContext } from '../dist/infrastructure/tenancy/tenant-context.js';
import { tenantScopePlugin } from '../dist/infrastructure/tenancy/tenant-scope.plugin.js';
import { SessionsService } from '../dist/modules/users/sessions.service.js';
import { User, UserSchema } from '../dist/modules/users/user.schema.js';
import { UsersRepository } from '../dist/modules/users/users.repository.js';
import { benchDatabaseUrl, percentiles } from './support/load.js';

const CALLS = 10_000;
const connection = await mongoose.createConnection(benchDatabaseUrl('session_check')).asPromise();
connection.plugin(tenantScopePlugin);
const users = new UsersRepository(connection.model(User.name, UserSchema));
const tokens = new AccessTokenService(new JwtService({ secret: 'x'.repeat(32), signOptions: { expiresIn: 3600 } }));
const config = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queue: { prefix: 'bench' },
  auth: { sessionCacheTtlMs: 60_000 },
};
const redis = new SharedRedis(config);
const sessions = new SessionsService(users, tokens, config, redis);

await TenantContext.runForTenant('bench', async () => {
  const user = await users.create({
    _id: new mongoose.Types.ObjectId(),
    email: 'bench@example.com',
    name: 'Bench',
    password_hash: 'not-a-real-hash',
    role: 'editor',
  });
  const token = await sessions.issue(user);

  async function measure(label, check) {
    const samples = [];
    for (let call = 0; call < CALLS; call += 1) {
      const started = performance.now();
      const claims = await tokens.verify(token);
      if (check && !(await sessions.isCurrent(claims))) throw new Error('the session should be current');
      samples.push(performance.now() - started);
    }
    console.log(`${label.padEnd(38)} ${CALLS} calls  ${percentiles(samples)}`);
  }

  await measure('jwt only (no session check)', false);
  sessions.onModuleInit();
  for (let waited = 0; !sessionsLive() && waited < 5_000; waited += 50) await sleep(50);
  await measure('jwt + session check (cached)', true);
  sessions.onApplicationShutdown();
  for (let waited = 0; sessionsLive() && waited < 5_000; waited += 50) await sleep(50);
  await measure('jwt + session check (channel down: store)', true);
});

function sessionsLive() {
  return sessions.channel.isLive;
}

redis.onModuleDestroy();
await connection.dropDatabase();
await connection.close();
