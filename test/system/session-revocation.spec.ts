import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type RunningRedis, startRedisServer } from '../../harness/stores.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { addMember, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** Long enough for a replica to hear Redis again after an outage (reconnect, subscribe, heartbeat). */
const SETTLE_MS = 1_500;

/**
 * A revoked token stops working on every replica within 1 s also when Redis fails one replica only:
 * two API replicas on one real Redis, each through a proxy of its own, so one replica's connections
 * can be cut or stalled while the other's stay up. (When Redis itself stops, every replica loses its
 * subscription at once and reads sessions from the store: replicas.e2e and membership.e2e cover that
 * path's normal case.)
 */
describe('session revocation when one replica loses Redis', () => {
  let redis: RunningRedis;
  let toA: TcpProxy;
  let toB: TcpProxy;
  let a: E2eApp;
  let b: E2eApp;
  let owner: SignedInUser;
  let members = 0;

  /** A viewer whose token replica b has checked, and so caches while it hears Redis. */
  const memberKnownToB = async () => {
    members += 1;
    const member = await addMember(a, 'acme', `member${members}@acme.test`, 'viewer');
    await b.http.get('/api/v1/users/me').set(member.headers).expect(200);
    return member;
  };
  const promote = (member: SignedInUser) =>
    a.http.patch(`/api/v1/users/${member.user_id}`).set(owner.headers).send({ role: 'editor' }).timeout(5_000);

  beforeAll(async () => {
    redis = await startRedisServer();
    [toA, toB] = await Promise.all([startTcpProxy(redis.port), startTcpProxy(redis.port)]);
    useTestEnvironment('session-revocation', { REDIS_URL: toA.url('redis') });
    a = await createE2eApp();
    process.env.REDIS_URL = toB.url('redis');
    b = await createE2eApp();
    await createTenant(a, 'acme');
    owner = await addMember(a, 'acme');
    await sleep(SETTLE_MS);
  }, 60_000);

  afterEach(async () => {
    toA.restore();
    toB.restore();
    await sleep(SETTLE_MS);
  });

  afterAll(async () => {
    await b.app.close();
    await a.close();
    await Promise.all([toA.close(), toB.close()]);
    await redis.stop();
  });

  it('holds when the replica that made the change cannot reach Redis: its announcement fails', async () => {
    const member = await memberKnownToB();
    toA.cut();

    await promote(member).expect(200);

    await expectRefusedWithinASecond(b, member);
  });

  it('holds when the connection of the replica that made the change stalls: the change still answers', async () => {
    const member = await memberKnownToB();
    toA.stall();

    await promote(member).expect(200);

    await expectRefusedWithinASecond(b, member);
  });

  it('holds when the other replica stopped hearing Redis without its connection closing', async () => {
    const member = await memberKnownToB();
    toB.stall();

    await promote(member).expect(200);

    await expectRefusedWithinASecond(b, member);
  });

  it('checks sessions on its cache again once it hears Redis again', async () => {
    toB.stall();
    await sleep(SETTLE_MS);
    toB.restore();
    await sleep(SETTLE_MS);
    const reads = jest.spyOn(b.app.get(UsersRepository, { strict: false }), 'tokenVersion');
    try {
      await b.http.get('/api/v1/users/me').set(owner.headers).expect(200);
      reads.mockClear();
      for (let index = 0; index < 3; index += 1) await b.http.get('/api/v1/users/me').set(owner.headers).expect(200);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });
});

/** Polls the replica from the moment the change was answered: refused (401) within one second. */
async function expectRefusedWithinASecond(replica: E2eApp, member: SignedInUser): Promise<void> {
  const started = Date.now();
  let status = 200;
  while (status !== 401 && Date.now() - started < 1_000) {
    status = (await replica.http.get('/api/v1/users/me').set(member.headers)).status;
  }
  expect(status).toBe(401);
}
