import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../harness/ports.js';
import { listeningSockets, startNode } from '../support/child-process.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const LOOPBACK_HEX = '0100007F';

describe('metrics are for the scraper only', () => {
  let api: E2eApp;

  beforeAll(async () => {
    useTestEnvironment('metrics-access', { METRICS_TOKEN });
    api = await createE2eApp();
  });

  afterAll(() => api.close());

  it('answers the API /metrics only with Authorization: Bearer <METRICS_TOKEN>', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${METRICS_TOKEN}`]) {
      const request = api.http.get('/metrics');
      const refused = await (authorization ? request.set('authorization', authorization) : request);
      expect([refused.status, refused.body.error]).toEqual([401, 'unauthorized']);
      expect(refused.text).not.toContain('http_request_duration_seconds');
    }
    const scraped = await api.http.get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(scraped.text).toContain('http_request_duration_seconds');
  });

  it("binds the worker's metrics port to loopback by default, with the same token rule", async () => {
    const port = await freePort();
    const worker = startNode(['dist/worker.js'], { LOG_LEVEL: 'info', WORKER_METRICS_PORT: String(port) });
    try {
      await worker.waitForOutput('worker metrics listening');
      expect(listeningSockets(worker.child.pid!)).toEqual([{ address: LOOPBACK_HEX, port }]);
      const refused = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([401, 'unauthorized']);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('queue_job_duration_seconds');
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exit();
    }
  });
});
