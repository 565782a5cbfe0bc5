import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRedisServer, type RunningRedis } from '../../harness/stores.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

describe('readiness when Redis goes away', () => {
  let redis: RunningRedis;
  let api: E2eApp;

  beforeAll(async () => {
    redis = await startRedisServer();
    useTestEnvironment('readiness', { REDIS_URL: redis.url });
    api = await createE2eApp();
  });

  afterAll(async () => {
    await api.close();
    await redis.stop();
  });

  it('turns /health/ready to 503 naming Redis while /health/live keeps answering', async () => {
    await api.http.get('/health/ready').expect(200);

    await redis.stop();

    const ready = await api.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ statusCode: 503, error: 'not_ready', message: 'Unavailable: redis' });
    // The probe is public: it names the store, never its address or the driver's error text.
    expect(ready.body.details).toEqual([{ field: 'redis', message: 'does not answer' }]);
    expect(ready.text).not.toContain(String(redis.port));
    expect(ready.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|connect/i);
    await api.http.get('/health/live').expect(200, { status: 'ok' });

    redis = await startRedisServer(redis.port);
    const recovered = await eventually(
      () => api.http.get('/health/ready'),
      (response) => response.status === 200,
    );
    expect(recovered.status).toBe(200);
  });
});
