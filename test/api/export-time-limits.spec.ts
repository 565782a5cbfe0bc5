import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import type { Queue } from 'bullmq';
import { type Connection, type Model, Types } from 'mongoose';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { ErasureService } from '../../src/modules/erasure/erasure.service.js';
import { ExportRunningError } from '../../src/modules/erasure/response-erasure.service.js';
import { ExportsService } from '../../src/modules/exports/exports.service.js';
import { FormResponse } from '../../src/modules/responses/response.schema.js';
import type { ResponseRecord } from '../../src/modules/responses/responses.repository.js';
import { ResponsesService } from '../../src/modules/responses/responses.service.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const TIME_LIMIT_MS = 5_000;
/** 400 rows of about 1.5 KB: some 600 KB, so two 255 KiB GridFS chunks are stored before the stall. */
const ROWS = 400;
const CHUNK_BYTES = 255 * 1024;

describe('exports past their job time limit', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;
  type Wrap = (rows: AsyncGenerator<ResponseRecord>) => AsyncGenerator<ResponseRecord>;
  /** Per form, how its next export runs read their responses (then as usual). */
  const slowRuns = new Map<string, Wrap[]>();
  let dripped = 0;
  let over = false;

  const db = () => worker.get<Connection>(getConnectionToken()).db!;
  const exportOf = async (exportId: string) =>
    (await api.http.get(`/api/v1/exports/${exportId}`).set(owner.headers).expect(200)).body;
  const finished = (exportId: string) =>
    eventually(
      () => exportOf(exportId),
      (body) => body.status === 'completed' || body.status === 'failed',
      30_000,
    );
  /** Every stored chunk's file id, and every file id that a `files` record or an export names. */
  const storedFileIds = async () => {
    const chunks = await db()
      .collection('blobs.chunks')
      .find({}, { projection: { files_id: 1 } })
      .toArray();
    const blobs = await db()
      .collection('blobs.files')
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const records = await db()
      .collection('files')
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const exported = await db()
      .collection('exports')
      .find({ file_id: { $exists: true } }, { projection: { file_id: 1 } })
      .toArray();
    const ids = (found: { [key: string]: unknown }[], key: string) =>
      [...new Set(found.map((one) => String(one[key])))].sort();
    return {
      chunks: ids(chunks, 'files_id'),
      chunkCount: chunks.length,
      blobs: ids(blobs, '_id'),
      records: ids(records, '_id'),
      exported: ids(exported, 'file_id'),
    };
  };

  /** Real rows, then the last one again every 25 ms until the run is stopped: never done by itself. */
  async function* endless(rows: AsyncGenerator<ResponseRecord>): AsyncGenerator<ResponseRecord> {
    let last: ResponseRecord | undefined;
    for await (const row of rows) {
      last = row;
      yield row;
    }
    while (!over && last) {
      await sleep(25);
      dripped += 1;
      yield last;
    }
  }

  const formWithResponses = async (title: string) => {
    const formId = await createForm(api, owner, { title });
    const responses = worker.get<Model<FormResponse>>(getModelToken(FormResponse.name));
    await TenantContext.runForTenant('acme', async () => {
      const now = new Date();
      await responses.insertMany(
        Array.from({ length: ROWS }, (_, index) => {
          const id = new Types.ObjectId();
          return {
            _id: id,
            tenant_id: 'acme',
            form_id: new Types.ObjectId(formId),
            form_version: 1,
            data: { email: `r${index}@example.com`, message: 'x'.repeat(1_500) },
            dedup_key: `id:${id.toHexString()}`,
            created_at: now,
            updated_at: now,
          };
        }),
        { lean: true },
      );
    });
    return formId;
  };

  beforeAll(async () => {
    useTestEnvironment('export-time-limits', {
      LOG_LEVEL: 'silent',
      QUEUE_JOB_TIMEOUT_MS: String(TIME_LIMIT_MS),
      QUEUE_ATTEMPTS: '2',
      QUEUE_BACKOFF_MS: '100',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme');
    owner = await addMember(api, 'acme');
    // The one hook into the product: the worker's own ResponsesService, wrapped so that chosen runs
    // never end by themselves (a slow store, on any machine) while still streaming real responses.
    const responses = worker.get(ResponsesService);
    const stream = responses.stream.bind(responses);
    jest.spyOn(responses, 'stream').mockImplementation((formId: Types.ObjectId) => {
      const wrap = slowRuns.get(formId.toHexString())?.shift();
      return wrap ? wrap(stream(formId)) : stream(formId);
    });
  });

  afterAll(async () => {
    over = true;
    jest.restoreAllMocks();
    await worker.stop();
    await api.close();
  });

  it('stops a timed-out export and removes its partial file; the retry leaves one complete file', async () => {
    const formId = await formWithResponses('Slow once');
    slowRuns.set(formId, [endless]);
    const started = await api.http
      .post(`/api/v1/forms/${formId}/exports`)
      .set(owner.headers)
      .send({ format: 'csv' })
      .expect(202);
    const exportId: string = started.body.export_id;

    // The first run wrote chunks of a file it will never finish.
    const partial = await eventually(storedFileIds, (stored) => stored.chunkCount >= 2, TIME_LIMIT_MS);
    expect(partial.chunkCount).toBeGreaterThanOrEqual(2);
    expect(partial.blobs).toEqual([]);
    expect((await exportOf(exportId)).status).toBe('running');

    const done = await finished(exportId);
    expect(done).toMatchObject({ status: 'completed', row_count: ROWS });
    const job = await worker.get<Queue>(getQueueToken('export')).getJob(`export.${exportId}`);
    expect(job?.attemptsMade).toBe(2);

    // The first run has stopped: nothing pulls rows from it any more.
    const drippedAtEnd = dripped;
    expect(drippedAtEnd).toBeGreaterThan(0);
    await sleep(500);
    expect(dripped).toBe(drippedAtEnd);

    // One file, complete, named by the export: no chunk, blob or record of the stopped run is left.
    const stored = await storedFileIds();
    expect(stored.exported).toHaveLength(1);
    expect(stored.chunks).toEqual(stored.exported);
    expect(stored.blobs).toEqual(stored.exported);
    expect(stored.records).toEqual(stored.exported);
    const csv = await api.http
      .get(`/api/v1/exports/${exportId}/download`)
      .set(owner.headers)
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => callback(null, text));
      })
      .expect(200);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(ROWS + 1);
    expect(stored.chunkCount).toBe(Math.ceil(Buffer.byteLength(csv.body) / CHUNK_BYTES));
  }, 60_000);

  it('fails an export whose every attempt timed out, keeps none of its bytes, and frees its form', async () => {
    const before = await storedFileIds();
    const formId = await formWithResponses('Always slow');
    slowRuns.set(formId, [endless, endless]);
    const started = await api.http
      .post(`/api/v1/forms/${formId}/exports`)
      .set(owner.headers)
      .send({ format: 'csv' })
      .expect(202);
    const exportId: string = started.body.export_id;
    // Between its attempts it still holds the form.
    const waiting = await eventually(
      () => exportOf(exportId),
      (body) => body.status === 'queued' && dripped > 0,
      TIME_LIMIT_MS * 2,
    );
    expect(waiting.status).not.toBe('failed');
    await api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send({ format: 'csv' }).expect(409);

    const failed = await finished(exportId);
    expect(failed).toMatchObject({
      status: 'failed',
      error: `Job export.${exportId} of export ran longer than ${TIME_LIMIT_MS} ms`,
    });
    expect(await storedFileIds()).toEqual(before);
    const next = await api.http
      .post(`/api/v1/forms/${formId}/exports`)
      .set(owner.headers)
      .send({ format: 'csv' })
      .expect(202);
    expect(await finished(next.body.export_id)).toMatchObject({ status: 'completed', row_count: ROWS });
  }, 60_000);

  it('keeps one file when a run that outlived its job finishes after its retry', async () => {
    const formId = await formWithResponses('Overtaken');
    const queue = worker.get<Queue>(getQueueToken('export'));
    await queue.pause();
    try {
      const started = await api.http
        .post(`/api/v1/forms/${formId}/exports`)
        .set(owner.headers)
        .send({ format: 'csv' })
        .expect(202);
      const exportId = new Types.ObjectId(started.body.export_id as string);
      // The late run reads its rows only once the other one recorded its file: what a run stuck past
      // its time limit does when its retry finishes first. Run here, in the worker's own service.
      let overtaken!: () => void;
      const late = new Promise<void>((resolve) => (overtaken = resolve));
      let lateReading!: () => void;
      const lateStarted = new Promise<void>((resolve) => (lateReading = resolve));
      slowRuns.set(formId, [
        async function* (rows) {
          lateReading();
          await late;
          yield* rows;
        },
      ]);
      const exportsService = worker.get(ExportsService);
      const run = () =>
        TenantContext.runForTenant('acme', () =>
          exportsService.run(exportId, { signal: new AbortController().signal, lastAttempt: true }),
        );
      const lateRun = run();
      await lateStarted;
      expect(await run()).toEqual({ row_count: ROWS });
      overtaken();
      expect(await lateRun).toEqual({ row_count: ROWS });

      const stored = await storedFileIds();
      const record = await exportOf(started.body.export_id);
      expect(record).toMatchObject({ status: 'completed', row_count: ROWS });
      expect(stored.records).toEqual(stored.exported);
      expect(stored.chunks).toEqual(stored.exported);
      // Its queued job, run now, finds the export done and writes nothing more.
      await queue.resume();
      const job = await eventually(
        async () => queue.getJob(`export.${started.body.export_id}`),
        (found) => found?.finishedOn !== undefined,
      );
      expect(job?.returnvalue).toEqual({ row_count: ROWS });
      expect(await storedFileIds()).toEqual(stored);
    } finally {
      await queue.resume();
    }
  }, 60_000);

  it("records nothing from a run that outlived its job's time limit and grace, for which an erasure no longer waits", async () => {
    const formId = await formWithResponses('Outlived');
    const queue = worker.get<Queue>(getQueueToken('export'));
    await queue.pause();
    try {
      const started = await api.http
        .post(`/api/v1/forms/${formId}/exports`)
        .set(owner.headers)
        .send({ format: 'csv' })
        .expect(202);
      const exportId = new Types.ObjectId(started.body.export_id as string);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let reading!: () => void;
      const readingStarted = new Promise<void>((resolve) => (reading = resolve));
      // A run stuck in a call that nothing interrupts (its signal never fires here), past any job's end.
      slowRuns.set(formId, [
        async function* (rows) {
          reading();
          await released;
          yield* rows;
        },
      ]);
      const before = await storedFileIds();
      const stuck = TenantContext.runForTenant('acme', () =>
        worker.get(ExportsService).run(exportId, { signal: new AbortController().signal, lastAttempt: true }),
      );
      const outcome = stuck.then(
        () => 'recorded',
        (error: Error) => error.message,
      );
      await readingStarted;

      const responses = worker.get<Model<FormResponse>>(getModelToken(FormResponse.name));
      const responseId = await TenantContext.runForTenant('acme', async () => {
        const one = await responses.findOne({ form_id: new Types.ObjectId(formId) }, { _id: 1 }).lean();
        await responses.updateOne({ _id: one!._id }, { $set: { deleted_at: new Date() } });
        return one!._id;
      });
      const erase = () =>
        TenantContext.runForTenant('acme', () => worker.get(ErasureService).eraseResponse(responseId));
      // Started before the deletion, and younger than a job may last: it may yet record the response.
      await expect(erase()).rejects.toBeInstanceOf(ExportRunningError);
      // Past the time limit and its grace (the grace is the time limit, at most 10 s): no longer.
      await sleep(2 * TIME_LIMIT_MS + 200);
      await expect(erase()).resolves.toMatchObject({ responses: 1 });

      release();
      expect(await outcome).toBe('The export ran longer than its job may last');
      expect(await exportOf(exportId.toHexString())).toMatchObject({
        status: 'failed',
        error: 'The export ran longer than its job may last',
      });
      expect(await storedFileIds()).toEqual(before);
      // Its queued job, run now, is a run of its own.
      await queue.resume();
      await eventually(
        async () => queue.getJob(`export.${exportId.toHexString()}`),
        (found) => found?.finishedOn !== undefined,
      );
    } finally {
      await queue.resume();
    }
  }, 60_000);
});
