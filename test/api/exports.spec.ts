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
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="form-${formId}-responses.csv"`);
    const [header, first] = csv.body.split('\r\n');
    // A UTF-8 byte-order mark first, so spreadsheets read accents right.
    expect(header).toBe('\uFEFFname,tags,response_id,submitted_at');
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

  describe('formats and ranges', () => {
    const submitTo = async (formId: string, data: Record<string, unknown>) =>
      (await api.http.post(`/api/v1/forms/${formId}/submit`).set('x-tenant-id', 'acme').send({ data }).expect(201)).body
        .response_id as string;
    const exportAs = async (formId: string, body: Record<string, unknown>) => {
      const created = await api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send(body).expect(202);
      expect(await finished(created.body.export_id)).toMatchObject({ status: 'completed' });
      return created.body.export_id as string;
    };
    const downloadBytes = (exportId: string) =>
      api.http
        .get(`/api/v1/exports/${exportId}/download`)
        .set(owner.headers)
        .buffer(true)
        .parse((response, callback) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => callback(null, Buffer.concat(parts)));
        });

    it('writes JSON as one array of responses, as the API shows them', async () => {
      const formId = await createForm(api, owner, { title: 'As JSON' });
      await submitTo(formId, { email: 'a@example.com', message: 'Zoë says "hi"' });
      await submitTo(formId, { email: 'b@example.com' });
      const exportId = await exportAs(formId, { format: 'json' });
      const file = await downloadBytes(exportId).expect(200);
      expect(file.headers['content-type']).toBe('application/json');
      expect(file.headers['content-disposition']).toBe(`attachment; filename="form-${formId}-responses.json"`);
      const listed = await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200);
      const exported = JSON.parse((file.body as Buffer).toString('utf8'));
      expect(exported).toEqual([...listed.body.data].reverse());
      expect(exported).toHaveLength(2);
    });

    it('writes xlsx with the CSV columns, typed cells, and formula-looking text as text', async () => {
      const formId = await createForm(api, owner, {
        title: 'As a spreadsheet',
        fields: [
          { key: 'name', type: 'text', label: 'Name' },
          { key: 'age', type: 'number', label: 'Age' },
          { key: 'agree', type: 'checkbox', label: 'Agree' },
          { key: 'born', type: 'date', label: 'Born' },
          { key: 'tags', type: 'multiselect', label: 'Tags', options: ['a', 'b'] },
        ],
      });
      const responseId = await submitTo(formId, {
        name: '=HYPERLINK("http://evil","click")',
        age: 42.5,
        agree: true,
        born: '1990-05-17',
        tags: ['a', 'b'],
      });
      await submitTo(formId, { name: '+cmd|calc', agree: false });
      await submitTo(formId, { name: '-1+1' });
      await submitTo(formId, { name: '@SUM(A1)' });
      const exportId = await exportAs(formId, { format: 'xlsx' });
      const file = await downloadBytes(exportId).expect(200);
      expect(file.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(file.headers['content-disposition']).toBe(`attachment; filename="form-${formId}-responses.xlsx"`);
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(file.body as unknown as ArrayBuffer);
      expect(workbook.worksheets).toHaveLength(1);
      const sheet = workbook.worksheets[0];
      expect(sheet.getRow(1).values).toEqual([
        undefined,
        ...['name', 'age', 'agree', 'born', 'tags', 'response_id', 'submitted_at'],
      ]);
      expect(sheet.rowCount).toBe(5);
      const first = sheet.getRow(2);
      expect([first.getCell(1).type, first.getCell(1).value]).toEqual([
        ExcelJS.ValueType.String,
        '=HYPERLINK("http://evil","click")',
      ]);
      expect([first.getCell(2).type, first.getCell(2).value]).toEqual([ExcelJS.ValueType.Number, 42.5]);
      expect([first.getCell(3).type, first.getCell(3).value]).toEqual([ExcelJS.ValueType.Boolean, true]);
      expect([first.getCell(4).type, first.getCell(4).value]).toEqual([
        ExcelJS.ValueType.Date,
        new Date('1990-05-17T00:00:00Z'),
      ]);
      expect(first.getCell(5).value).toBe('a; b');
      expect(first.getCell(6).value).toBe(responseId);
      expect(first.getCell(7).type).toBe(ExcelJS.ValueType.Date);
      expect(Math.abs((first.getCell(7).value as Date).getTime() - Date.now())).toBeLessThan(120_000);
      expect(sheet.getRow(3).getCell(3).value).toBe(false);
      // Every formula-looking value is a text cell: no cell of the sheet is a formula.
      const names = [3, 4, 5].map((row) => sheet.getRow(row).getCell(1));
      expect(names.map((cell) => [cell.type, cell.value])).toEqual([
        [ExcelJS.ValueType.String, '+cmd|calc'],
        [ExcelJS.ValueType.String, '-1+1'],
        [ExcelJS.ValueType.String, '@SUM(A1)'],
      ]);
      sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
    });

    it('keeps only responses submitted within from/to (both included; a date is the whole day)', async () => {
      const formId = await createForm(api, owner, { title: 'Ranged' });
      const responses = worker.get<Model<FormResponse>>(getModelToken(FormResponse.name));
      const at = ['2026-02-28T23:59:59.999Z', '2026-03-01T00:00:00Z', '2026-03-31T23:59:59Z', '2026-04-01T00:00:00Z'];
      const ids = at.map(() => new Types.ObjectId());
      await TenantContext.runForTenant('acme', () =>
        responses.insertMany(
          at.map((when, index) => ({
            _id: ids[index],
            tenant_id: 'acme',
            form_id: new Types.ObjectId(formId),
            form_version: 1,
            data: { email: `r${index}@example.com` },
            dedup_key: `id:${ids[index].toHexString()}`,
            created_at: new Date(when),
            updated_at: new Date(when),
          })),
          { lean: true },
        ),
      );
      const exportedIds = async (body: Record<string, unknown>) => {
        const exported = JSON.parse((await downloadBytes(await exportAs(formId, body)).expect(200)).body.toString());
        return exported.map((response: { response_id: string }) => response.response_id);
      };
      const hex = ids.map((id) => id.toHexString());
      expect(await exportedIds({ format: 'json', from: '2026-03-01', to: '2026-03-31' })).toEqual(hex.slice(1, 3));
      expect(await exportedIds({ format: 'json', from: '2026-03-31T23:59:59Z' })).toEqual(hex.slice(2));
      expect(await exportedIds({ format: 'json', to: '2026-03-01T00:00:00Z' })).toEqual(hex.slice(0, 2));
      const csvExport = await exportAs(formId, { format: 'csv', from: '2026-03-01', to: '2026-03-01' });
      expect((await api.http.get(`/api/v1/exports/${csvExport}`).set(owner.headers).expect(200)).body.row_count).toBe(
        1,
      );
    });

    it('refuses an unknown format, a from/to that is not ISO 8601, and to before from (400 validation_failed)', async () => {
      const formId = await createForm(api, owner, { title: 'Refused' });
      for (const body of [
        { format: 'pdf' },
        {},
        { format: 'csv', from: 'yesterday' },
        { format: 'csv', to: 12 },
        { format: 'csv', from: null },
        { format: 'csv', from: '2026-04-01', to: '2026-03-31' },
      ]) {
        const refused = await api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send(body);
        expect([refused.status, refused.body.error]).toEqual([400, 'validation_failed']);
      }
      const rejected = await api.http
        .post(`/api/v1/forms/${formId}/exports`)
        .set(owner.headers)
        .send({ format: 'csv', from: '2026-04-01T00:00:00Z', to: '2026-03-31T23:59:59Z' })
        .expect(400);
      expect(rejected.body.details).toEqual([{ field: 'to', message: 'to must be at or after from' }]);
    });

    it('holds the form while an export of any format is queued or running, and frees it once done', async () => {
      const formId = await createForm(api, owner, { title: 'One format at a time' });
      const queue = worker.get<Queue>(getQueueToken('export'));
      const exportsModel = worker.get<Model<FormExport>>(getModelToken(FormExport.name));
      const attempt = (format: string) =>
        api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send({ format });
      await queue.pause();
      let first: string;
      try {
        const answers = await Promise.all([attempt('xlsx'), attempt('json')]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
        first = answers.find((answer) => answer.status === 202)?.body.export_id as string;
        const queued = await attempt('csv').expect(409);
        expect(queued.body).toMatchObject({ error: 'export_in_progress', message: expect.stringMatching(/queued/) });
        // As while a worker writes it.
        await TenantContext.runForTenant('acme', () =>
          exportsModel.updateOne({ _id: new Types.ObjectId(first) }, { $set: { status: 'running' } }),
        );
        const running = await attempt('json').expect(409);
        expect(running.body).toMatchObject({ error: 'export_in_progress', message: expect.stringMatching(/running/) });
        expect(await TenantContext.runForTenant('acme', () => exportsModel.countDocuments({ form_id: formId }))).toBe(
          1,
        );
      } finally {
        await queue.resume();
      }
      expect(await finished(first)).toMatchObject({ status: 'completed' });
      await exportAs(formId, { format: 'json' });
    });

    it('erases a JSON or xlsx export holding an erased response: its download answers 410 export_expired', async () => {
      const secret = `answer-${new Types.ObjectId().toHexString()}`;
      const formId = await createForm(api, owner, { title: 'Erasable formats' });
      const responseId = await submitTo(formId, { email: 'someone@example.com', message: secret });
      const asJson = await exportAs(formId, { format: 'json' });
      const asXlsx = await exportAs(formId, { format: 'xlsx' });
      expect((await downloadBytes(asJson).expect(200)).body.toString()).toContain(secret);
      await downloadBytes(asXlsx).expect(200);

      await api.http.delete(`/api/v1/responses/${responseId}`).set(owner.headers).expect(204);

      for (const exportId of [asJson, asXlsx]) {
        const gone = await eventually(
          () => downloadBytes(exportId),
          (answer) => answer.status === 410,
        );
        expect(JSON.parse(gone.body.toString()).error).toBe('export_expired');
      }
      expect((await storedBlobs(api.app)).filter((blob) => blob.bytes.includes(secret))).toHaveLength(0);
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
