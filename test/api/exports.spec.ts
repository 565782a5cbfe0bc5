import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { getModelToken } from '@nestjs/mongoose';
import type { Queue } from 'bullmq';
import { type Model, Types } from 'mongoose';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { ErasureService } from '../../src/modules/erasure/erasure.service.js';
import { ExportRunningError } from '../../src/modules/erasure/response-erasure.service.js';
import { FormExport } from '../../src/modules/exports/export.schema.js';
import { FormResponse } from '../../src/modules/responses/response.schema.js';
import { createForm, createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { storedBlobs } from '../support/stored-blobs.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const ROWS = 10_000;

describe('CSV exports', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;

  const requestExport = async (formId: string) =>
    (await api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send({ format: 'csv' }).expect(202))
      .body;
  const finished = (exportId: string) =>
    eventually(
      async () => (await api.http.get(`/api/v1/exports/${exportId}`).set(owner.headers).expect(200)).body,
      (body) => body.status === 'completed' || body.status === 'failed',
      90_000,
    );
  const download = (exportId: string) =>
    api.http
      .get(`/api/v1/exports/${exportId}/download`)
      .set(owner.headers)
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => callback(null, text));
      });

  beforeAll(async () => {
    useTestEnvironment('exports', { LOG_LEVEL: 'silent' });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme');
    owner = await addMember(api, 'acme');
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  it('escapes per RFC 4180, defuses formulas, and has one column per field plus response_id and submitted_at', async () => {
    const formId = await createForm(api, owner, {
      title: 'Tricky',
      fields: [
        { key: 'name', type: 'text', label: 'Name' },
        { key: 'tags', type: 'multiselect', label: 'Tags', options: ['a', 'b'] },
      ],
    });
    const submitted = await api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'acme')
      .send({ data: { name: '=HYPERLINK("http://evil")', tags: ['a', 'b'] } })
      .expect(201);
    await api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'acme')
      .send({ data: { name: 'Smith, "Jo"\nline two' } })
      .expect(201);
    const created = await requestExport(formId);
    expect(created).toEqual({ export_id: expect.stringMatching(/^[0-9a-f]{24}$/), status: 'queued' });
    const done = await finished(created.export_id);
    expect(done).toMatchObject({
      form_id: formId,
      status: 'completed',
      row_count: 2,
      completed_at: expect.any(String),
    });
    const csv = await download(created.export_id).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const [header, first] = csv.body.split('\r\n');
    expect(header).toBe('name,tags,response_id,submitted_at');
    expect(first).toMatch(new RegExp(`^"'=HYPERLINK\\(""http://evil""\\)",a; b,${submitted.body.response_id},\\d{4}-`));
    expect(csv.body).toContain('"Smith, ""Jo""\nline two",,');
  });

  it('erases export files after EXPORT_TTL_HOURS; their download then answers 410 export_expired', async () => {
    const formId = await createForm(api, owner, { title: 'Short-lived' });
    const created = await requestExport(formId);
    await finished(created.export_id);
    await download(created.export_id).expect(200);
    const { ExportsService } = await import('../../src/modules/exports/exports.service.js');
    const sweep = worker.get(ExportsService);
    // Nothing is due yet; a sweep run 169 hours from now (default TTL: 168) erases the file.
    expect(await sweep.eraseExpired()).toBe(0);
    expect(await sweep.eraseExpired(new Date(Date.now() + 169 * 3_600_000))).toBeGreaterThanOrEqual(1);
    const gone = await download(created.export_id);
    expect([gone.status, JSON.parse(gone.body).error]).toEqual([410, 'export_expired']);
    const record = await api.http.get(`/api/v1/exports/${created.export_id}`).set(owner.headers).expect(200);
    expect(record.body.status).toBe('completed');
  });

  it('runs one export at a time per form: of parallel requests exactly one answers 202, the rest 409 export_in_progress', async () => {
    const formId = await createForm(api, owner, { title: 'One at a time' });
    const otherFormId = await createForm(api, owner, { title: 'Its neighbour' });
    const queue = worker.get<Queue>(getQueueToken('export'));
    // Held while the requests race, so "queued" cannot turn into "completed" between two of them.
    await queue.pause();
    let answers: { status: number; body: { export_id?: string; error?: string; message?: string } }[];
    try {
      answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send({ format: 'csv' }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
      for (const refused of answers.filter((answer) => answer.status === 409)) {
        expect(refused.body).toEqual({
          statusCode: 409,
          error: 'export_in_progress',
          message: expect.stringMatching(/queued|starting/),
        });
      }
      // Another form of the tenant is not held up.
      await requestExport(otherFormId);
    } finally {
      await queue.resume();
    }
    const accepted = answers.find((answer) => answer.status === 202)?.body.export_id as string;
    expect(await finished(accepted)).toMatchObject({ status: 'completed' });
    // Finished: the form takes the next one.
    const next = await requestExport(formId);
    expect(await finished(next.export_id)).toMatchObject({ status: 'completed' });
  });

  it('does not let an export whose job was lost block its form: it is marked failed and a new one starts', async () => {
    const formId = await createForm(api, owner, { title: 'Lost job' });
    const queue = worker.get<Queue>(getQueueToken('export'));
    await queue.pause();
    try {
      const lost = await requestExport(formId);
      await api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send({ format: 'csv' }).expect(409);
      // As when Redis lost the job, or a crashed worker's job ran out of retries without the export knowing.
      await (await queue.getJob(`export.${lost.export_id}`))?.remove();
      const fresh = await requestExport(formId);
      const before = await api.http.get(`/api/v1/exports/${lost.export_id}`).set(owner.headers).expect(200);
      expect(before.body).toMatchObject({ status: 'failed', error: 'The export stopped without finishing' });
      await queue.resume();
      expect(await finished(fresh.export_id)).toMatchObject({ status: 'completed' });
    } finally {
      await queue.resume();
    }
  });

  describe('erasing a response', () => {
    const submit = async (formId: string, message: string) =>
      (
        await api.http
          .post(`/api/v1/forms/${formId}/submit`)
          .set('x-tenant-id', 'acme')
          .send({ data: { email: 'someone@example.com', message } })
          .expect(201)
      ).body.response_id as string;
    const exported = async (formId: string) => {
      const { export_id } = await requestExport(formId);
      expect((await finished(export_id)).status).toBe('completed');
      return export_id as string;
    };
    const blobsHolding = async (needle: string) =>
      (await storedBlobs(api.app)).filter((blob) => blob.bytes.includes(needle)).length;

    it('erases the files of the exports that may hold it; they answer 410 export_expired, older ones stay', async () => {
      const secret = `answer-${new Types.ObjectId().toHexString()}`;
      const formId = await createForm(api, owner, { title: 'Erasable' });
      await submit(formId, 'kept answer');
      const before = await exported(formId);
      const responseId = await submit(formId, secret);
      const holding = await exported(formId);
      expect((await download(holding).expect(200)).body).toContain(secret);
      expect(await blobsHolding(secret)).toBe(1);

      await api.http.delete(`/api/v1/responses/${responseId}`).set(owner.headers).expect(204);

      const gone = await eventually(
        () => download(holding),
        (answer) => answer.status === 410,
      );
      expect([gone.status, JSON.parse(gone.body).error]).toEqual([410, 'export_expired']);
      expect(await blobsHolding(secret)).toBe(0);
      const record = await api.http.get(`/api/v1/exports/${holding}`).set(owner.headers).expect(200);
      expect(record.body).toMatchObject({ status: 'completed', row_count: 2 });
      // Completed before the response existed: it cannot hold it, and stays.
      expect((await download(before).expect(200)).body).toContain('kept answer');
    });

    it('waits for an export run under way, which may be writing it, before the response goes', async () => {
      const formId = await createForm(api, owner, { title: 'Racing an export' });
      const responseId = await submit(formId, 'raced answer');
      const running = await exported(formId);
      const exportsModel = worker.get<Model<FormExport>>(getModelToken(FormExport.name));
      const responses = worker.get<Model<FormResponse>>(getModelToken(FormResponse.name));
      const setStatus = (status: 'running' | 'completed') =>
        TenantContext.runForTenant('acme', () =>
          exportsModel.updateOne({ _id: new Types.ObjectId(running) }, { $set: { status, completed_at: new Date() } }),
        );
      const erase = () =>
        TenantContext.runForTenant('acme', () =>
          worker.get(ErasureService).eraseResponse(new Types.ObjectId(responseId)),
        );
      const stored = () =>
        TenantContext.runForTenant('acme', () => responses.countDocuments({ _id: new Types.ObjectId(responseId) }));

      // The run is still writing (as if it had started before the deletion): the job's erasure holds back.
      await setStatus('running');
      await TenantContext.runForTenant('acme', () =>
        responses.updateOne({ _id: new Types.ObjectId(responseId) }, { $set: { deleted_at: new Date() } }),
      );
      await expect(erase()).rejects.toBeInstanceOf(ExportRunningError);
      expect(await stored()).toBe(1);

      await setStatus('completed');
      await expect(erase()).resolves.toMatchObject({ responses: 1 });
      expect(await stored()).toBe(0);
      expect((await download(running)).status).toBe(410);
    });

    it('neither waits for nor erases an export started after the deletion, which cannot hold the response', async () => {
      const formId = await createForm(api, owner, { title: 'Exported after the deletion' });
      await submit(formId, 'kept answer');
      const first = await submit(formId, 'first erased answer');
      const second = await submit(formId, 'second erased answer');
      const exportsModel = worker.get<Model<FormExport>>(getModelToken(FormExport.name));
      const responses = worker.get<Model<FormResponse>>(getModelToken(FormResponse.name));
      const inAcme = <T>(work: () => Promise<T>) => TenantContext.runForTenant('acme', work);
      const erase = (responseId: string) =>
        inAcme(() => worker.get(ErasureService).eraseResponse(new Types.ObjectId(responseId)));
      // Both deleted (their erasure jobs not run yet), then an export: it reads neither.
      await inAcme(() =>
        responses.updateMany(
          { _id: { $in: [first, second].map((id) => new Types.ObjectId(id)) } },
          { $set: { deleted_at: new Date() } },
        ),
      );
      const later = await exported(formId);
      const csv = (await download(later).expect(200)).body as string;
      expect(csv).toContain('kept answer');
      expect(csv).not.toContain('erased answer');
      const setStatus = (status: 'running' | 'completed') =>
        inAcme(() => exportsModel.updateOne({ _id: new Types.ObjectId(later) }, { $set: { status } }));

      // Still being written (an editor's exports back to back): the erasure does not wait for it.
      await setStatus('running');
      await expect(erase(first)).resolves.toMatchObject({ responses: 1 });
      // Completed since the responses were created, yet started after their deletion: its file stays.
      await setStatus('completed');
      await expect(erase(second)).resolves.toMatchObject({ responses: 1 });
      expect((await download(later).expect(200)).body).toBe(csv);
      expect(await inAcme(() => responses.countDocuments({ form_id: new Types.ObjectId(formId) }))).toBe(1);
    });
  });

  it('exports 10,000 responses with the right row count and flat memory', async () => {
    const formId = await createForm(api, owner, { title: 'Big' });
    const responses = worker.get<Model<FormResponse>>(getModelToken(FormResponse.name));
    await TenantContext.runForTenant('acme', async () => {
      for (let start = 0; start < ROWS; start += 1_000) {
        const now = new Date();
        const batch = Array.from({ length: 1_000 }, (_, index) => {
          const id = new Types.ObjectId();
          return {
            _id: id,
            tenant_id: 'acme',
            form_id: new Types.ObjectId(formId),
            form_version: 1,
            data: { email: `r${start + index}@example.com`, message: 'x'.repeat(200) },
            dedup_key: `id:${id.toHexString()}`,
            created_at: now,
            updated_at: now,
          };
        });
        await responses.insertMany(batch, { lean: true });
      }
    });
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
    const created = await requestExport(formId);
    const early = await download(created.export_id);
    expect([early.status, early.body && JSON.parse(early.body).error]).toEqual([409, 'export_not_ready']);
    const done = await finished(created.export_id);
    clearInterval(sampler);
    expect(done).toMatchObject({ status: 'completed', row_count: ROWS });
    const csv = await download(created.export_id).expect(200);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(ROWS + 1);
    const growthMb = (peakRss - rssBefore) / 1024 / 1024;
    process.stdout.write(
      `export of ${ROWS} responses: peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB (+${growthMb.toFixed(0)} MB during the export)\n`,
    );
    expect(growthMb).toBeLessThan(200);
  }, 120_000);
});
