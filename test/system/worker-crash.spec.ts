import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { jobIdFor } from '../../src/infrastructure/queue/job-id.js';
import { QueueName } from '../../src/infrastructure/queue/queue-names.js';
import { createForm, createTenant, addMember } from '../support/api-fixtures.js';
import { type RunningProcess, startNode } from '../support/child-process.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

describe('a worker killed in the middle of a job', () => {
  let api: E2eApp;
  let receiver: Server;
  let requests = 0;
  const workers: RunningProcess[] = [];

  const startWorker = async () => {
    const worker = startNode(['dist/worker.js'], { LOG_LEVEL: 'info' });
    workers.push(worker);
    await worker.waitForOutput('worker started');
    return worker;
  };

  beforeAll(async () => {
    // The first delivery hangs (the worker dies while waiting for it); later ones succeed at once.
    receiver = createServer((request, response) => {
      requests += 1;
      request.resume();
      if (requests > 1) response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    useTestEnvironment('worker-crash', {
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '50',
      // A dead worker's job is free again 2 s after its last lock renewal, and looked for every second.
      QUEUE_LOCK_DURATION_MS: '2000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
    });
    api = await createE2eApp();
  });

  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await api.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('gets the job back after a restart and completes it once', async () => {
    await createTenant(api, 'acme', { features: { webhooks: true } });
    const owner = await addMember(api, 'acme');
    const { port } = receiver.address() as AddressInfo;
    const webhook = await api.http
      .post('/api/v1/webhooks')
      .set(owner.headers)
      .send({ url: `http://127.0.0.1:${port}/hook`, events: ['response.submitted'] })
      .expect(201);
    const formId = await createForm(api, owner, { title: 'Crash' });
    await api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'acme')
      .send({ data: { email: 'visitor@example.com' } })
      .expect(201);

    const first = await startWorker();
    await eventually(
      async () => requests,
      (count) => count === 1,
    );
    first.child.kill('SIGKILL');
    await first.exit();

    await startWorker();
    const deliveries = async () =>
      (await api.http.get(`/api/v1/webhooks/${webhook.body.webhook_id}/deliveries`).set(owner.headers).expect(200)).body
        .data as { event_id: string; status: string; attempts: number }[];
    // BullMQ hands a dead worker's job out again two stalled checks after its lock expired: a few
    // seconds with the locks above, a minute or more with the defaults (which would fail this wait).
    const [delivery] = await eventually(deliveries, (list) => list[0]?.status === 'succeeded', 30_000);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
    const queue = api.app.get<Queue>(getQueueToken(QueueName.Webhook), { strict: false });
    const job = await queue.getJob(jobIdFor(delivery.event_id, 'webhook', webhook.body.webhook_id));
    expect(await job?.getState()).toBe('completed');
    expect(requests).toBe(2);
  }, 60_000);
});
