import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningRedis, startRedisServer } from '../../harness/stores.js';
import { addMember, createForm, createTenant } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { storedBlobs } from '../support/stored-blobs.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** A tiny daily allowance per tenant, FILE_MAX_BYTES below it, and a Redis of this file's own (stopped last). */
const ALLOWANCE = 3000;
const WITH_FILE = [
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'cv', type: 'file', label: 'CV' },
];

describe('the daily allowance of anonymous upload bytes per tenant (413 payload_too_large beyond it)', () => {
  let redis: RunningRedis;
  let api: E2eApp;
  const forms = new Map<string, string>();

  const upload = (tenant: string, bytes: number) =>
    api.http
      .post(`/api/v1/forms/${forms.get(tenant)}/files`)
      .set('x-tenant-id', tenant)
      .attach('file', Buffer.alloc(bytes, 'x'), { filename: 'cv.pdf', contentType: 'application/pdf' });
  const outcome = (answer: { status: number; body: { error?: string } }) => [answer.status, answer.body.error];
  const storedBytesOf = async (tenant: string) =>
    (await storedBlobs(api.app)).filter((blob) => blob.tenant_id === tenant).map((blob) => blob.bytes.length);

  beforeAll(async () => {
    redis = await startRedisServer();
    useTestEnvironment('upload-allowance', {
      REDIS_URL: redis.url,
      FILE_MAX_BYTES: '2000',
      PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY: String(ALLOWANCE),
    });
    api = await createE2eApp();
    for (const tenant of ['acme', 'globex', 'burst']) {
      await createTenant(api, tenant);
      forms.set(tenant, await createForm(api, await addMember(api, tenant), { title: 'Jobs', fields: WITH_FILE }));
    }
  });

  afterAll(async () => {
    await api.close();
    await redis.stop();
  });

  it('counts the stored bytes per tenant per day, refuses what does not fit, and stores nothing of it', async () => {
    const tooLargeAnyDay = await upload('acme', 2500);
    expect([...outcome(tooLargeAnyDay), tooLargeAnyDay.body.message]).toEqual([
      413,
      'payload_too_large',
      'Files may be at most 2000 bytes',
    ]);
    await upload('acme', 1800).expect(201);
    // 1,200 bytes are left today: 1,800 more do not fit.
    const over = await upload('acme', 1800);
    expect(outcome(over)).toEqual([413, 'payload_too_large']);
    expect(over.body.message).toMatch(/allowance/);
    const retryAfter = Number(over.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 60 * 60);
    // What the refused uploads had reserved was given back: exactly the 1,200 left still fit.
    await upload('acme', 1200).expect(201);
    expect(outcome(await upload('acme', 1))).toEqual([413, 'payload_too_large']);
    expect((await storedBytesOf('acme')).sort()).toEqual([1200, 1800]);
    // Another tenant's allowance is its own.
    await upload('globex', 1800).expect(201);
  });

  it('reserves the bytes before storing them: parallel uploads cannot pass the allowance together', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => upload('burst', 700)));
    const stored = answers.filter((answer) => answer.status === 201).length;
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(stored).toBeLessThanOrEqual(4);
    for (const answer of answers.filter((each) => each.status !== 201)) {
      expect(outcome(answer)).toEqual([413, 'payload_too_large']);
    }
    expect(await storedBytesOf('burst')).toEqual(Array(stored).fill(700));
    // Every refused reservation was given back: what is left is exactly the allowance less what was stored.
    const left = ALLOWANCE - 700 * stored;
    if (left > 0) await upload('burst', left).expect(201);
    expect(outcome(await upload('burst', 1))).toEqual([413, 'payload_too_large']);
  });

  it('lets anonymous uploads through uncounted while Redis is down, as their rate limits do', async () => {
    expect(outcome(await upload('acme', 10))).toEqual([413, 'payload_too_large']);
    await redis.stop();
    await upload('acme', 10).expect(201);
    redis = await startRedisServer(redis.port);
  });
});
