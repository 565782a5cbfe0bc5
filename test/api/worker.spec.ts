import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { TEST_ADMIN_KEY, useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

describe('worker mode', () => {
  let api: E2eApp;
  let worker: TestWorker | undefined;

  beforeAll(async () => {
    useTestEnvironment('worker');
    api = await createE2eApp();
  });

  afterAll(async () => {
    await worker?.stop();
    await api.close();
  });

  const jobStatus = (jobId: string) =>
    api.http.get(`/api/v1/admin/diagnostics/jobs/${jobId}`).set('x-admin-key', TEST_ADMIN_KEY);

  it('leaves a job queued while no worker runs, and the worker entry point completes it', async () => {
    const enqueued = await api.http
      .post('/api/v1/admin/diagnostics/jobs')
      .set('x-admin-key', TEST_ADMIN_KEY)
      .send({ message: 'hello worker' })
      .expect(202);
    expect(enqueued.body).toEqual({ job_id: expect.any(String), status: 'waiting' });
    const jobId: string = enqueued.body.job_id;

    const beforeWorker = await jobStatus(jobId).expect(200);
    expect(beforeWorker.body.status).toBe('waiting');

    worker = await startWorker();

    const done = await eventually(
      () => jobStatus(jobId),
      (response) => response.body.status === 'completed',
    );
    expect(done.body).toEqual({
      job_id: jobId,
      status: 'completed',
      result: { message: 'hello worker', worker_pid: process.pid, processed_at: expect.any(String) },
    });
  });

  it('answers 404 for a job that does not exist', async () => {
    const response = await jobStatus('no-such-job').expect(404);
    expect(response.body).toEqual({ statusCode: 404, error: 'not_found', message: 'Diagnostic job not found' });
  });
});
