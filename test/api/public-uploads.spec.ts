import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Queue } from 'bullmq';
import { type Connection, Types } from 'mongoose';
import { FileErasureService } from '../../src/modules/files/file-erasure.service.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const WITH_FILE = [
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'cv', type: 'file', label: 'CV' },
];
const DAY_MS = 24 * 60 * 60 * 1000;

describe('anonymous uploads to a published form', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;
  let formId: string;
  let otherFormId: string;

  const upload = (form: string, bytes: Buffer, headers: Record<string, string> = {}) =>
    api.http
      .post(`/api/v1/forms/${form}/files`)
      .set({ 'x-tenant-id': 'acme', 'x-forwarded-for': '203.0.113.9', ...headers })
      .attach('file', bytes, { filename: 'cv.pdf', contentType: 'application/pdf' });
  const submit = (form: string, cv: string) =>
    api.http
      .post(`/api/v1/forms/${form}/submit`)
      .set('x-tenant-id', 'acme')
      .send({ data: { email: 'visitor@example.com', cv } });

  beforeAll(async () => {
    useTestEnvironment('public-uploads', {
      FILE_MAX_BYTES: '2048',
      TRUST_PROXY: '1',
      RATE_LIMIT_PUBLIC_UPLOADS_PER_MINUTE: '6',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme');
    await createTenant(api, 'globex');
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner, { title: 'Jobs', fields: WITH_FILE });
    otherFormId = await createForm(api, owner, { title: 'Other jobs', fields: WITH_FILE });
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  it('stores the file for that form only: a submission to it may use it, one to another form may not', async () => {
    const uploaded = await upload(formId, Buffer.from('%PDF-1.7 cv')).expect(201);
    expect(uploaded.body).toEqual({
      file_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      filename: 'cv.pdf',
      content_type: 'application/pdf',
      size: 11,
    });
    const elsewhere = await submit(otherFormId, uploaded.body.file_id);
    expect([elsewhere.status, elsewhere.body.details]).toEqual([
      400,
      [{ field: 'data.cv', message: 'is not a file of this tenant' }],
    ]);
    const used = await submit(formId, uploaded.body.file_id).expect(201);
    const stored = await api.http.get(`/api/v1/responses/${used.body.response_id}`).set(owner.headers).expect(200);
    expect(stored.body.data.cv).toBe(uploaded.body.file_id);
    const bytes = await api.http.get(`/api/v1/files/${uploaded.body.file_id}`).set(owner.headers).expect(200);
    expect(bytes.body.toString()).toBe('%PDF-1.7 cv');
  });

  it("refuses an anonymous submission naming any file but an upload to that form: a member's upload, an export, another form's upload", async () => {
    const memberUpload = (
      await api.http
        .post('/api/v1/files')
        .set(owner.headers)
        .attach('file', Buffer.from('member bytes'), { filename: 'plan.pdf', contentType: 'application/pdf' })
        .expect(201)
    ).body.file_id as string;
    const otherFormUpload = (
      await upload(otherFormId, Buffer.from('other form'), { 'x-forwarded-for': '203.0.113.30' }).expect(201)
    ).body.file_id as string;
    const exportId = (
      await api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send({ format: 'csv' }).expect(202)
    ).body.export_id as string;
    const exported = await eventually(
      async () => (await api.http.get(`/api/v1/exports/${exportId}`).set(owner.headers)).body.status,
      (status) => status === 'completed',
      30_000,
    );
    expect(exported).toBe('completed');
    // The export's file id is internal (never answered); an attacker would guess it from nearby ids.
    const exportRecord = await api.app
      .get<Connection>(getConnectionToken())
      .collection('exports')
      .findOne({ _id: new Types.ObjectId(exportId) });
    const exportFile = String(exportRecord?.file_id);

    const responseIds = async () =>
      (await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200)).body.data.map(
        (response: { response_id: string }) => response.response_id,
      );
    const before = await responseIds();
    const missing = await submit(formId, new Types.ObjectId().toHexString());
    expect([missing.status, missing.body.error]).toEqual([400, 'validation_failed']);
    for (const named of [memberUpload, exportFile, otherFormUpload]) {
      const refused = await submit(formId, named);
      // The very answer a missing file gets: it says nothing about what the id names.
      expect(refused.body).toEqual(missing.body);
    }
    // Nothing was stored, so no erasure of a spam response can take those files with it.
    expect(await responseIds()).toEqual(before);
    await api.http.get(`/api/v1/files/${memberUpload}`).set(owner.headers).expect(200);
    await api.http.get(`/api/v1/exports/${exportId}/download`).set(owner.headers).expect(200);

    // A member (with a token) may still name the tenant's member uploads, never another form's upload.
    const byMember = (cv: string) =>
      api.http
        .post(`/api/v1/forms/${formId}/submit`)
        .set(owner.headers)
        .send({ data: { email: 'm@example.com', cv } });
    await byMember(memberUpload).expect(201);
    const elsewhere = await byMember(otherFormUpload);
    expect(elsewhere.body).toEqual(missing.body);
  });

  it('refuses forms without a file field, drafts, archived forms and other tenants’ forms', async () => {
    const noFileField = await createForm(api, owner, { title: 'Plain' });
    const draft = await createForm(api, owner, { title: 'Draft', fields: WITH_FILE }, false);
    const archived = await createForm(api, owner, { title: 'Old', fields: WITH_FILE });
    await api.http.post(`/api/v1/forms/${archived}/archive`).set(owner.headers).expect(200);
    const answers = [
      await upload(noFileField, Buffer.from('x'), { 'x-forwarded-for': '203.0.113.20' }),
      await upload(draft, Buffer.from('x'), { 'x-forwarded-for': '203.0.113.21' }),
      await upload(archived, Buffer.from('x'), { 'x-forwarded-for': '203.0.113.22' }),
      await upload(formId, Buffer.from('x'), { 'x-tenant-id': 'globex', 'x-forwarded-for': '203.0.113.23' }),
    ];
    expect(answers.map((answer) => [answer.status, answer.body.error])).toEqual([
      [400, 'validation_failed'],
      [409, 'form_not_published'],
      [410, 'form_archived'],
      [404, 'not_found'],
    ]);
  });

  it('refuses a file over FILE_MAX_BYTES with 413 while streaming, and rate-limits uploads per client and form', async () => {
    const client = { 'x-forwarded-for': '198.51.100.30' };
    const tooLarge = await upload(formId, Buffer.alloc(8192, 1), client);
    expect([tooLarge.status, tooLarge.body.error]).toEqual([413, 'payload_too_large']);
    const statuses = [];
    for (let index = 0; index < 6; index += 1) statuses.push((await upload(formId, Buffer.from('x'), client)).status);
    // The oversized upload counted too: six calls a minute, the seventh is refused.
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it('erases uploads no response used after 24 hours, and keeps the used ones', async () => {
    const unused = (await upload(formId, Buffer.from('never used'), { 'x-forwarded-for': '198.51.100.40' }).expect(201))
      .body.file_id;
    const kept = (await upload(formId, Buffer.from('used'), { 'x-forwarded-for': '198.51.100.41' }).expect(201)).body
      .file_id;
    await submit(formId, kept).expect(201);

    const sweep = worker.get(FileErasureService);
    expect(await sweep.eraseUnusedUploads()).toBe(0);
    expect(await sweep.eraseUnusedUploads(new Date(Date.now() + DAY_MS + 60_000))).toBeGreaterThanOrEqual(1);
    await api.http.get(`/api/v1/files/${unused}`).set(owner.headers).expect(404);
    await api.http.get(`/api/v1/files/${kept}`).set(owner.headers).expect(200);
    // A swept upload can no longer be submitted.
    const late = await submit(formId, unused);
    expect(late.body.details).toEqual([{ field: 'data.cv', message: 'is not a file of this tenant' }]);
  });

  it("schedules the sweep once per cluster as a BullMQ job scheduler (retention is the erasure queue's)", async () => {
    const queue = worker.get<Queue>(getQueueToken('housekeeping'));
    const schedulers = await queue.getJobSchedulers();
    const byKey = schedulers.map((scheduler) => [scheduler.key, scheduler.every]).sort();
    expect(byKey).toEqual([['housekeeping-sweep', 3_600_000]]);
  });
});
