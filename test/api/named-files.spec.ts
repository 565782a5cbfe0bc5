import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import { type Connection, type Model, Types } from 'mongoose';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { FormResponse } from '../../src/modules/responses/response.schema.js';
import { ResponsesService } from '../../src/modules/responses/responses.service.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const WITH_FILE = [
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'cv', type: 'file', label: 'CV' },
];

/**
 * Which files a response may name, and what its erasure or a `PATCH` does to them: a submission never
 * names an export's file, only members who may upload name the tenant's unbound uploads, and no file
 * in use is erased, however requests and erasure jobs interleave.
 */
describe('files named by responses', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;
  let editor: SignedInUser;
  let viewer: SignedInUser;

  const files = () => api.app.get<Connection>(getConnectionToken()).collection('files');
  const memberUpload = async (content = 'member bytes') =>
    (
      await api.http
        .post('/api/v1/files')
        .set(editor.headers)
        .attach('file', Buffer.from(content), { filename: 'plan.pdf', contentType: 'application/pdf' })
        .expect(201)
    ).body.file_id as string;
  const publicUpload = async (formId: string, content = 'visitor bytes') =>
    (
      await api.http
        .post(`/api/v1/forms/${formId}/files`)
        .set('x-tenant-id', 'acme')
        .attach('file', Buffer.from(content), { filename: 'cv.pdf', contentType: 'application/pdf' })
        .expect(201)
    ).body.file_id as string;
  const submit = (formId: string, cv: string, headers: Record<string, string> = { 'x-tenant-id': 'acme' }) =>
    api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set(headers)
      .send({ data: { email: 'someone@example.com', cv } });
  const patch = (responseId: string, cv: string | undefined) =>
    api.http
      .patch(`/api/v1/responses/${responseId}`)
      .set(editor.headers)
      .send({ data: { email: 'someone@example.com', ...(cv ? { cv } : {}) } });
  const fileStatus = async (fileId: string) =>
    (await api.http.get(`/api/v1/files/${fileId}`).set(owner.headers)).status;
  /** A completed export of the form, and the id of its file (internal: never answered, but guessable). */
  const exportFile = async (formId: string) => {
    const exportId = (
      await api.http.post(`/api/v1/forms/${formId}/exports`).set(owner.headers).send({ format: 'csv' }).expect(202)
    ).body.export_id as string;
    const status = await eventually(
      async () => (await api.http.get(`/api/v1/exports/${exportId}`).set(owner.headers)).body.status,
      (current) => current === 'completed' || current === 'failed',
      30_000,
    );
    expect(status).toBe('completed');
    const record = await api.app
      .get<Connection>(getConnectionToken())
      .collection('exports')
      .findOne({ _id: new Types.ObjectId(exportId) });
    return { exportId, fileId: String(record?.file_id) };
  };
  const download = async (exportId: string) =>
    (await api.http.get(`/api/v1/exports/${exportId}/download`).set(owner.headers)).status;
  /** A response stored as an older release let it be: naming any file of the tenant. */
  const storedNaming = async (formId: string, fileId: string) => {
    const responses = api.app.get<Model<FormResponse>>(getModelToken(FormResponse.name));
    const id = new Types.ObjectId();
    await TenantContext.runForTenant('acme', () =>
      responses.create({
        _id: id,
        form_id: new Types.ObjectId(formId),
        form_version: 1,
        data: { email: 'old@example.com', cv: fileId },
        dedup_key: `id:${id.toHexString()}`,
        file_ids: [new Types.ObjectId(fileId)],
      }),
    );
    return id.toHexString();
  };
  const responseStored = (responseId: string) =>
    TenantContext.runForTenant('acme', () =>
      api.app
        .get<Model<FormResponse>>(getModelToken(FormResponse.name))
        .exists({ _id: new Types.ObjectId(responseId) }),
    );

  /** The files a `PATCH` dropped from the response that still wait for their erasure. */
  const releasedFiles = async (responseId: string) =>
    (
      await TenantContext.runForTenant('acme', () =>
        api.app
          .get<Model<FormResponse>>(getModelToken(FormResponse.name))
          .findOne({ _id: new Types.ObjectId(responseId) }, { released_file_ids: 1 })
          .lean<Pick<FormResponse, 'released_file_ids'>>(),
      )
    )?.released_file_ids;

  beforeAll(async () => {
    useTestEnvironment('named-files', { LOG_LEVEL: 'silent' });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme');
    owner = await addMember(api, 'acme');
    editor = await addMember(api, 'acme', 'editor@acme.test', 'editor');
    viewer = await addMember(api, 'acme', 'viewer@acme.test', 'viewer');
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  describe('who may name which file', () => {
    it("answers a viewer naming a member's upload, and anyone naming an export's file, exactly like a missing file", async () => {
      const formId = await createForm(api, owner, { title: 'Jobs', fields: WITH_FILE });
      const otherForm = await createForm(api, owner, { title: 'Exported' });
      const upload = await memberUpload();
      const exported = await exportFile(otherForm);
      // An export file written before files said what they are for: found through its export.
      const older = await exportFile(formId);
      await files().updateOne({ _id: new Types.ObjectId(older.fileId) }, { $unset: { purpose: 1 } });

      const missing = await submit(formId, new Types.ObjectId().toHexString(), viewer.headers);
      expect([missing.status, missing.body.details]).toEqual([
        400,
        [{ field: 'data.cv', message: 'is not a file of this tenant' }],
      ]);
      const refused = [
        await submit(formId, upload, viewer.headers),
        await submit(formId, exported.fileId, viewer.headers),
        await submit(formId, exported.fileId, editor.headers),
        await submit(formId, exported.fileId, owner.headers),
        await submit(formId, older.fileId, owner.headers),
        await submit(formId, exported.fileId),
      ];
      for (const answer of refused) expect(answer.body).toEqual(missing.body);

      // A viewer names what a visitor may (an upload to the form); who may upload names the tenant's uploads.
      await submit(formId, await publicUpload(formId), viewer.headers).expect(201);
      await submit(formId, upload, editor.headers).expect(201);
      await submit(formId, upload, owner.headers).expect(201);
      const named = await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200);
      expect(named.body.data).toHaveLength(3);
    });

    it('refuses a PATCH naming an export file like a missing file', async () => {
      const formId = await createForm(api, owner, { title: 'Patched', fields: WITH_FILE });
      const exported = await exportFile(await createForm(api, owner, { title: 'Exported for a patch' }));
      const responseId = (await submit(formId, await publicUpload(formId)).expect(201)).body.response_id as string;
      const missing = await patch(responseId, new Types.ObjectId().toHexString());
      expect(missing.status).toBe(400);
      expect((await patch(responseId, exported.fileId)).body).toEqual(missing.body);
    });
  });

  describe('erasure', () => {
    it('never erases an export file a response named (one stored before the rule), deleted or PATCHed', async () => {
      const formId = await createForm(api, owner, { title: 'Older responses', fields: WITH_FILE });
      const exported = await exportFile(await createForm(api, owner, { title: 'Exported, then named' }));
      const deleted = await storedNaming(formId, exported.fileId);
      const changed = await storedNaming(formId, exported.fileId);

      await api.http.delete(`/api/v1/responses/${deleted}`).set(editor.headers).expect(204);
      await patch(changed, undefined).expect(200);
      expect(
        await eventually(
          () => responseStored(deleted),
          (found) => found === null,
        ),
      ).toBeNull();
      expect(
        await eventually(
          () => releasedFiles(changed),
          (released) => released === undefined,
        ),
      ).toBeUndefined();
      expect(await download(exported.exportId)).toBe(200);
    });

    it("erases a member's upload with the last response that names it, and keeps it while another does", async () => {
      const formId = await createForm(api, owner, { title: 'Shared upload', fields: WITH_FILE });
      const upload = await memberUpload('shared');
      const first = (await submit(formId, upload, editor.headers).expect(201)).body.response_id as string;
      const second = (await submit(formId, upload, editor.headers).expect(201)).body.response_id as string;

      await api.http.delete(`/api/v1/responses/${first}`).set(editor.headers).expect(204);
      await eventually(
        () => responseStored(first),
        (found) => found === null,
      );
      expect(await fileStatus(upload)).toBe(200);
      await api.http.delete(`/api/v1/responses/${second}`).set(editor.headers).expect(204);
      expect(
        await eventually(
          () => fileStatus(upload),
          (status) => status === 404,
        ),
      ).toBe(404);
    });
  });

  describe('races', () => {
    it('parallel PATCHes leave no file orphaned: every file one of them dropped is erased, the one named stays', async () => {
      const formId = await createForm(api, owner, { title: 'Raced patches', fields: WITH_FILE });
      const first = await publicUpload(formId, 'first');
      const responseId = (await submit(formId, first).expect(201)).body.response_id as string;
      const replacements: string[] = [];
      for (let index = 0; index < 6; index += 1) replacements.push(await publicUpload(formId, `replacement ${index}`));

      const answers = await Promise.all(replacements.map((fileId) => patch(responseId, fileId)));
      expect(answers.map((answer) => answer.status)).toEqual(replacements.map(() => 200));
      const current = await api.http.get(`/api/v1/responses/${responseId}`).set(owner.headers).expect(200);
      const kept: string = current.body.data.cv;
      expect(replacements).toContain(kept);

      const statuses = async () =>
        Object.fromEntries(await Promise.all([first, ...replacements].map(async (id) => [id, await fileStatus(id)])));
      const expected = Object.fromEntries([first, ...replacements].map((id) => [id, id === kept ? 200 : 404]));
      expect(await eventually(statuses, (found) => JSON.stringify(found) === JSON.stringify(expected), 15_000)).toEqual(
        expected,
      );
    });

    it('answers 503, changing nothing, while the response or a file it names stays locked past the wait', async () => {
      const formId = await createForm(api, owner, { title: 'Locked', fields: WITH_FILE });
      const named = await publicUpload(formId, 'named');
      const responseId = (await submit(formId, named).expect(201)).body.response_id as string;
      const wanted = await publicUpload(formId, 'wanted');
      // As a replica in the middle of a PATCH of the response, or of an erasure of the file, holds them.
      const locks = api.app.get<Connection>(getConnectionToken()).collection<{ _id: string }>('locks');
      const held = [`responses:acme:${responseId}`, `files:acme:${wanted}`];
      const expires_at = new Date(Date.now() + 60_000);
      await locks.insertMany(held.map((_id) => ({ _id, holder: 'elsewhere', expires_at })));
      try {
        const [patched, submitted] = await Promise.all([patch(responseId, undefined), submit(formId, wanted)]);
        expect([patched.status, patched.body.error, submitted.status, submitted.body.error]).toEqual([
          503,
          'service_unavailable',
          503,
          'service_unavailable',
        ]);
      } finally {
        await locks.deleteMany({ _id: { $in: held } });
      }
      const unchanged = await api.http.get(`/api/v1/responses/${responseId}`).set(owner.headers).expect(200);
      expect(unchanged.body.data.cv).toBe(named);
      const listed = await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200);
      expect(listed.body.data).toHaveLength(1);
      await submit(formId, wanted).expect(201);
    });

    it('a PATCH naming a file while its erasure checks whether it is named waits, then is refused like a missing file', async () => {
      const formId = await createForm(api, owner, { title: 'Raced erasure', fields: WITH_FILE });
      const contested = await publicUpload(formId, 'contested');
      const dropping = (await submit(formId, contested).expect(201)).body.response_id as string;
      const naming = (await submit(formId, await publicUpload(formId, 'other')).expect(201)).body.response_id as string;

      // The erasure of the dropped file has just found it named nowhere: another response names it now.
      const responses = worker.get(ResponsesService);
      const namesFile = responses.namesFile.bind(responses);
      let raced: Promise<{ status: number }> | undefined;
      const spy = jest.spyOn(responses, 'namesFile').mockImplementation(async (fileId, except, form) => {
        const named = await namesFile(fileId, except, form);
        if (!raced && fileId.toHexString() === contested) {
          // `then` sends the request now, as a client on another replica would, without waiting for it.
          raced = patch(naming, contested).then((answer) => answer);
          await Promise.race([raced, sleep(500)]);
        }
        return named;
      });
      try {
        await patch(dropping, undefined).expect(200);
        expect(
          await eventually(async () => raced !== undefined && (await releasedFiles(dropping)) === undefined, Boolean),
        ).toBe(true);
        // The PATCH waited for the erasure, then found the file gone: refused like a missing file.
        expect((await raced)?.status).toBe(400);
        expect(await fileStatus(contested)).toBe(404);
        const current = await api.http.get(`/api/v1/responses/${naming}`).set(owner.headers).expect(200);
        expect(current.body.data.cv).not.toBe(contested);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
