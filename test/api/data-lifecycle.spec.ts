import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Queue } from 'bullmq';
import { type Connection, mongo, Types } from 'mongoose';
import { freePort } from '../../harness/ports.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { ErasureService } from '../../src/modules/erasure/erasure.service.js';
import { RetentionService } from '../../src/modules/erasure/retention.service.js';
import { TenantErasureService } from '../../src/modules/erasure/tenant-erasure.service.js';
import { EventEntitiesService } from '../../src/modules/events/event-entities.service.js';
import { EventType } from '../../src/modules/events/event.types.js';
import { TenantResolver } from '../../src/modules/tenants/tenant-resolver.js';
import {
  addMember,
  adminHeaders,
  bearer,
  createForm,
  createTenant,
  operatorInviteToken,
  type SignedInUser,
} from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { storedBlobs } from '../support/stored-blobs.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const { EJSON } = mongo.BSON;

describe('data lifecycle: delete, erase, retain, and read the audit log', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let receiver: WebhookReceiver;
  let owner: SignedInUser;
  let editor: SignedInUser;
  let viewer: SignedInUser;

  const connection = () => api.app.get<Connection>(getConnectionToken());
  const db = () => {
    const database = connection().db;
    if (!database) throw new Error('not connected');
    return database;
  };
  const collectionNames = async () => (await db().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);

  /** Every collection holding a document whose extended JSON contains `needle`, from the database's own list. */
  const collectionsContaining = async (needle: string): Promise<string[]> => {
    const found: string[] = [];
    for (const name of await collectionNames()) {
      const documents = await db().collection(name).find({}).toArray();
      if (documents.some((document) => EJSON.stringify(document).includes(needle))) found.push(name);
    }
    return found.sort();
  };
  /** Stored file bytes (every tenant's) that contain `needle`. */
  const storedFilesContaining = async (needle: string): Promise<string[]> =>
    (await storedBlobs(api.app)).filter((blob) => blob.bytes.includes(needle)).map((blob) => blob.key);
  const queue = (name: string) => worker.get<Queue>(getQueueToken(name));

  const submit = async (
    tenant: string,
    formId: string,
    data: Record<string, unknown>,
    headers: Record<string, string> = { 'x-tenant-id': tenant },
  ) =>
    (await api.http.post(`/api/v1/forms/${formId}/submit`).set(headers).send({ data }).expect(201)).body
      .response_id as string;

  const publicUpload = async (tenant: string, formId: string, content: string) =>
    (
      await api.http
        .post(`/api/v1/forms/${formId}/files`)
        .set('x-tenant-id', tenant)
        .attach('file', Buffer.from(content), { filename: 'note.txt', contentType: 'text/plain' })
        .expect(201)
    ).body.file_id as string;

  const formWithFile = (user: SignedInUser) =>
    createForm(api, user, {
      title: `With file ${randomBytes(3).toString('hex')}`,
      fields: [
        { key: 'email', type: 'email', label: 'Email', required: true },
        { key: 'message', type: 'textarea', label: 'Message' },
        { key: 'attachment', type: 'file', label: 'Attachment' },
      ],
    });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    useTestEnvironment('lifecycle', {
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '50',
      ERASURE_BATCH_SIZE: '5',
      TENANT_ERASURE_WAIT_MS: '5000',
      WORKER_METRICS_PORT: String(await freePort()),
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme', { features: { webhooks: true } });
    await createTenant(api, 'other');
    owner = await addMember(api, 'acme');
    editor = await addMember(api, 'acme', 'editor@acme.test', 'editor');
    viewer = await addMember(api, 'acme', 'viewer@acme.test', 'viewer');
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await receiver.stop();
  });

  describe('deleting a response', () => {
    it('answers 404 at once and erases its data from every collection, the audit log, deliveries and files', async () => {
      const secret = `erase-me-${randomBytes(8).toString('hex')}`;
      const formId = await formWithFile(owner);
      const hook = await api.http
        .post('/api/v1/webhooks')
        .set(owner.headers)
        .send({ url: receiver.url('/lifecycle'), events: ['response.submitted', 'response.deleted'] })
        .expect(201);
      const fileId = await publicUpload('acme', formId, `attached ${secret}`);
      const responseId = await submit('acme', formId, {
        email: 'visitor@example.com',
        message: `hello ${secret}`,
        attachment: fileId,
      });
      const keptId = await submit('acme', formId, { email: 'kept@example.com', message: 'stays' });
      await eventually(
        async () => receiver.received.filter((hit) => hit.body.includes(responseId)).length,
        (count) => count === 1,
      );
      expect(await collectionsContaining(secret)).toEqual(expect.arrayContaining(['events', 'form_responses']));
      expect(await storedFilesContaining(secret)).toHaveLength(1);

      expect((await api.http.delete(`/api/v1/responses/${responseId}`).set(viewer.headers)).status).toBe(403);
      await api.http.delete(`/api/v1/responses/${responseId}`).set(editor.headers).expect(204);
      await api.http.get(`/api/v1/responses/${responseId}`).set(owner.headers).expect(404);
      await api.http.delete(`/api/v1/responses/${responseId}`).set(editor.headers).expect(404);
      const listed = await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200);
      expect(listed.body.data.map((response: { response_id: string }) => response.response_id)).toEqual([keptId]);

      expect(
        await eventually(
          () => collectionsContaining(secret),
          (found) => found.length === 0,
        ),
      ).toEqual([]);
      expect(await storedFilesContaining(secret)).toEqual([]);
      // No queue holds the answers: jobs name what they work on and read it when they run.
      for (const name of ['email', 'webhook', 'export', 'erasure', 'housekeeping']) {
        const jobs = await queue(name).getJobs(['waiting', 'delayed', 'failed', 'completed', 'active']);
        expect([name, JSON.stringify(jobs.map((job) => [job.data, job.returnvalue]))]).not.toEqual([
          name,
          expect.stringContaining(secret),
        ]);
      }
      await api.http.get(`/api/v1/files/${fileId}`).set(owner.headers).expect(404);
      await api.http.get(`/api/v1/responses/${keptId}`).set(owner.headers).expect(200);

      const trail = await api.http
        .get('/api/v1/events')
        .query({ entity_id: responseId })
        .set(owner.headers)
        .expect(200);
      expect(trail.body.data.map((event: { event_type: string }) => event.event_type)).toEqual([
        'response.deleted',
        'response.submitted',
      ]);
      const [deleted, submitted] = trail.body.data;
      expect(submitted.redacted).toBe(true);
      expect(submitted.payload).toEqual({ response_id: responseId, form_id: formId, form_version: 1 });
      expect(deleted.user_id).toBe(editor.user_id);

      const deletion = await eventually(
        async () => receiver.received.find((hit) => hit.body.includes('"response.deleted"')),
        (hit) => hit !== undefined,
      );
      expect(JSON.parse(deletion?.body ?? '{}')).toMatchObject({
        event_type: 'response.deleted',
        entity_id: responseId,
        payload: { response_id: responseId, form_id: formId },
      });
      const deliveries = await api.http
        .get(`/api/v1/webhooks/${hook.body.webhook_id}/deliveries`)
        .set(owner.headers)
        .expect(200);
      expect(deliveries.body.data.length).toBeGreaterThanOrEqual(2);
    });

    it('keeps a member upload another response still names', async () => {
      const formId = await formWithFile(owner);
      const shared = await api.http
        .post('/api/v1/files')
        .set(editor.headers)
        .attach('file', Buffer.from('shared bytes'), { filename: 'shared.txt', contentType: 'text/plain' })
        .expect(201);
      const fileId: string = shared.body.file_id;
      // Only a member may name a member's upload (an anonymous submission may name uploads to its form only).
      const first = await submit('acme', formId, { email: 'a@example.com', attachment: fileId }, editor.headers);
      const second = await submit('acme', formId, { email: 'b@example.com', attachment: fileId }, editor.headers);

      await api.http.delete(`/api/v1/responses/${first}`).set(editor.headers).expect(204);
      await eventually(
        async () => (await collectionsContaining(first)).filter((name) => name !== 'events'),
        (found) => found.length === 0,
      );
      await api.http.get(`/api/v1/files/${fileId}`).set(owner.headers).expect(200);

      await api.http.delete(`/api/v1/responses/${second}`).set(editor.headers).expect(204);
      await eventually(
        async () => (await api.http.get(`/api/v1/files/${fileId}`).set(owner.headers)).status,
        (status) => status === 404,
      );
      await api.http.get(`/api/v1/files/${fileId}`).set(owner.headers).expect(404);
    });

    it('erases it while its tenant is suspended, without waiting for a reactivation', async () => {
      const secret = `dormant-${randomBytes(8).toString('hex')}`;
      await createTenant(api, 'dormant');
      const dormantOwner = await addMember(api, 'dormant');
      const formId = await createForm(api, dormantOwner);
      const responseId = await submit('dormant', formId, { email: 'visitor@example.com', message: secret });
      await queue('erasure').pause();
      try {
        await api.http.delete(`/api/v1/responses/${responseId}`).set(dormantOwner.headers).expect(204);
        await api.http
          .patch('/api/v1/admin/tenants/dormant')
          .set(adminHeaders)
          .send({ status: 'suspended' })
          .expect(200);
        // The worker knows it is suspended before the erasure job runs.
        await eventually(
          async () => (await worker.get(TenantResolver).find('dormant'))?.status,
          (status) => status === 'suspended',
        );
      } finally {
        await queue('erasure').resume();
      }
      expect(
        await eventually(
          () => collectionsContaining(secret),
          (found) => found.length === 0,
        ),
      ).toEqual([]);
      const shown = await api.http.get('/api/v1/admin/tenants/dormant').set(adminHeaders).expect(200);
      expect(shown.body.status).toBe('suspended');
    });
  });

  describe('changing a response', () => {
    it('erases a file a PATCH dropped when no response names it any more, and keeps one another names', async () => {
      const secret = `dropped-${randomBytes(8).toString('hex')}`;
      const formId = await formWithFile(owner);
      const droppedFile = await publicUpload('acme', formId, `bytes ${secret}`);
      const replacement = await publicUpload('acme', formId, 'replacement bytes');
      const shared = (
        await api.http
          .post('/api/v1/files')
          .set(editor.headers)
          .attach('file', Buffer.from('shared bytes'), { filename: 'shared.txt', contentType: 'text/plain' })
          .expect(201)
      ).body.file_id as string;
      const changed = await submit('acme', formId, { email: 'a@example.com', attachment: droppedFile });
      // A member's upload can be named by members only (an anonymous submission names its form's uploads).
      const sharing = await submit('acme', formId, { email: 'b@example.com', attachment: shared }, editor.headers);
      await submit('acme', formId, { email: 'c@example.com', attachment: shared }, editor.headers);
      expect(await storedFilesContaining(secret)).toHaveLength(1);

      const patch = (responseId: string, data: Record<string, unknown>) =>
        api.http.patch(`/api/v1/responses/${responseId}`).set(editor.headers).send({ data }).expect(200);
      await patch(changed, { email: 'a@example.com', attachment: replacement });
      await patch(sharing, { email: 'b@example.com' });

      expect(
        await eventually(
          async () => (await api.http.get(`/api/v1/files/${droppedFile}`).set(owner.headers)).status,
          (status) => status === 404,
        ),
      ).toBe(404);
      // The record goes first, then the bytes: the erasure job may still be between the two.
      expect(
        await eventually(
          () => storedFilesContaining(secret),
          (keys) => keys.length === 0,
        ),
      ).toEqual([]);
      await api.http.get(`/api/v1/files/${replacement}`).set(owner.headers).expect(200);
      await api.http.get(`/api/v1/files/${shared}`).set(owner.headers).expect(200);
      const released = await eventually(
        () =>
          db()
            .collection('form_responses')
            .countDocuments({ released_file_ids: { $exists: true } }),
        (count) => count === 0,
      );
      expect(released).toBe(0);
      const current = await api.http.get(`/api/v1/responses/${changed}`).set(owner.headers).expect(200);
      expect(current.body.data).toEqual({ email: 'a@example.com', attachment: replacement });
    });
  });

  describe('removing a member', () => {
    it("erases their name and email from the audit log's payloads; the envelopes stay, redacted", async () => {
      const tag = randomBytes(6).toString('hex');
      const email = `leaver-${tag}@acme.test`;
      const name = `Leaver ${tag}`;
      // An owner's invitation to them (an audit entry with their address and name), then their joining.
      await api.http.post('/api/v1/invitations').set(owner.headers).send({ email, role: 'owner' }).expect(201);
      const joined = await api.http
        .post('/api/v1/auth/invitations/accept')
        .set('x-tenant-id', 'acme')
        .send({ token: await operatorInviteToken(api, 'acme', email, 'owner'), name, password: 'password-123' })
        .expect(201);
      const leaverId: string = joined.body.user.user_id;
      const leaver = { headers: bearer(joined.body.access_token as string) };
      // An invitation they send: their name is its inviter.
      await api.http
        .post('/api/v1/invitations')
        .set(leaver.headers)
        .send({ email: `guest-${tag}@example.com`, role: 'viewer' })
        .expect(201);
      const stored = () => db().collection('events').find({ tenant_id: 'acme' }).toArray();
      const holding = async () =>
        (await stored()).filter((event) => [email, name].some((needle) => EJSON.stringify(event).includes(needle)));
      expect((await holding()).map((event) => event.event_type).sort()).toEqual([
        'invitation.created',
        'invitation.created',
        'user.registered',
      ]);

      const removing = new Date();
      const removal = () =>
        TenantContext.runForTenant('acme', () =>
          api.app.get(EventEntitiesService).happened(EventType.UserRemoved, leaverId, removing),
        );
      expect(await removal()).toBe(false);
      await api.http.delete(`/api/v1/users/${leaverId}`).set(owner.headers).expect(204);
      expect(await removal()).toBe(true);

      expect(await eventually(holding, (left) => left.length === 0)).toEqual([]);
      const trail = await api.http.get('/api/v1/events').query({ entity_id: leaverId }).set(owner.headers).expect(200);
      expect(trail.body.data).toEqual([
        expect.objectContaining({
          event_type: 'user.registered',
          redacted: true,
          payload: { user_id: leaverId, role: 'owner' },
        }),
      ]);
      const sent = (await stored()).find((event) => event.payload?.email === `guest-${tag}@example.com`);
      expect(sent).toMatchObject({ user_id: leaverId, redacted: true, payload: { role: 'viewer' } });
      expect(sent?.payload).not.toHaveProperty('inviter');
    });
  });

  describe('deleting a form', () => {
    it('answers 404 at once, frees its slug, and an erasure killed mid-way and run again leaves nothing behind', async () => {
      const formId = await formWithFile(owner);
      const slug = (await api.http.get(`/api/v1/forms/${formId}`).set(owner.headers).expect(200)).body.slug as string;
      const unusedUpload = await publicUpload('acme', formId, 'never used');
      const responseIds: string[] = [];
      for (let index = 0; index < 12; index += 1) {
        responseIds.push(await submit('acme', formId, { email: `r${index}@example.com` }));
      }
      const started = await api.http
        .post(`/api/v1/forms/${formId}/exports`)
        .set(owner.headers)
        .send({ format: 'csv' })
        .expect(202);
      const exportId: string = started.body.export_id;
      await eventually(
        async () => (await api.http.get(`/api/v1/exports/${exportId}`).set(owner.headers)).body.status,
        (status) => status === 'completed',
      );
      expect(await collectionsContaining(formId)).toEqual(
        expect.arrayContaining(['exports', 'files', 'form_counters', 'form_responses', 'form_versions', 'forms']),
      );

      // Held, so the test can kill an erasure mid-way before the worker runs the real job.
      await queue('erasure').pause();
      expect((await api.http.delete(`/api/v1/forms/${formId}`).set(viewer.headers)).status).toBe(403);
      await api.http.delete(`/api/v1/forms/${formId}`).set(editor.headers).expect(204);
      await api.http.get(`/api/v1/forms/${formId}`).set(owner.headers).expect(404);
      await api.http.delete(`/api/v1/forms/${formId}`).set(editor.headers).expect(404);
      await api.http.get(`/api/v1/forms/${formId}/public`).set('x-tenant-id', 'acme').expect(404);
      await api.http.get(`/api/v1/responses/${responseIds[0]}`).set(owner.headers).expect(404);
      await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(404);
      const listed = await api.http.get('/api/v1/forms').set(owner.headers).expect(200);
      expect(listed.body.data.map((form: { form_id: string }) => form.form_id)).not.toContain(formId);
      await api.http.post('/api/v1/forms').set(owner.headers).send({ title: 'Reuse', slug }).expect(201);

      const killed = new Error('killed after the first batch');
      await expect(
        TenantContext.runForTenant('acme', () =>
          worker.get(ErasureService).eraseForm(new Types.ObjectId(formId), async () => {
            throw killed;
          }),
        ),
      ).rejects.toBe(killed);
      const halfway = await TenantContext.runForTenant('acme', () =>
        db()
          .collection('form_responses')
          .countDocuments({ form_id: new Types.ObjectId(formId) }),
      );
      expect(halfway).toBe(7);

      await queue('erasure').resume();
      // Only the form's own events keep its id: their envelopes stay, and they carry no respondent data.
      const left = await eventually(
        () => collectionsContaining(formId),
        (found) => found.join() === 'events',
      );
      expect(left).toEqual(['events']);
      await api.http.get(`/api/v1/files/${unusedUpload}`).set(owner.headers).expect(404);
      await api.http.get(`/api/v1/exports/${exportId}`).set(owner.headers).expect(404);
    });
  });

  describe('retention', () => {
    it('erases exactly the responses older than the tenant limit, and audit entries past AUDIT_RETENTION_DAYS', async () => {
      await createTenant(api, 'keeper');
      const keeperOwner = await addMember(api, 'keeper');
      await api.http
        .patch('/api/v1/tenant')
        .set(keeperOwner.headers)
        .send({ settings: { response_retention_days: 30 } })
        .expect(200);
      const formId = await createForm(api, keeperOwner);
      const ages = [40, 31, 29, 0];
      const ids: string[] = [];
      for (const age of ages) ids.push(await submit('keeper', formId, { email: `age${age}@example.com` }));
      const responses = db().collection('form_responses');
      for (const [index, age] of ages.entries()) {
        await responses.updateOne(
          { _id: new Types.ObjectId(ids[index]) },
          { $set: { created_at: new Date(Date.now() - age * DAY_MS) } },
        );
      }
      const oldEvent = await db().collection('events').findOne({ tenant_id: 'keeper', entity_id: ids[3] });
      // Delivered, not waiting in the outbox (retention keeps those): its outbox entry goes a moment after.
      await eventually(
        () => db().collection('event_outbox').countDocuments({ _id: oldEvent?._id }),
        (waiting) => waiting === 0,
      );
      await db()
        .collection('events')
        .updateOne({ _id: oldEvent?._id }, { $set: { timestamp: new Date(Date.now() - 400 * DAY_MS) } });
      await api.http.get(`/api/v1/responses/${ids[2]}`).set(keeperOwner.headers).expect(200);

      const summary = await worker.get(RetentionService).run();

      expect(summary.responses_erased).toBe(2);
      const statuses = [];
      for (const id of ids)
        statuses.push((await api.http.get(`/api/v1/responses/${id}`).set(keeperOwner.headers)).status);
      expect(statuses).toEqual([404, 404, 200, 200]);
      expect(await db().collection('events').countDocuments({ _id: oldEvent?._id })).toBe(0);
      const runs = await db().collection('retention_runs').find({ tenant_id: 'keeper' }).toArray();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ responses_erased: 2, audit_entries_erased: 1 });
      expect((await collectionsContaining(ids[0])).filter((name) => name !== 'events')).toEqual([]);
    });

    it('runs on the erasure queue with the sweep of deleted tenants, each scheduled once per cluster', async () => {
      const schedulers = await eventually(
        () => queue('erasure').getJobSchedulers(),
        (found) => found.length === 2,
      );
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.name, scheduler.every]).sort()).toEqual([
        ['erasure-sweep', 'sweep', 3_600_000],
        ['retention-daily', 'retention', 86_400_000],
      ]);
    });
  });

  describe('the audit log', () => {
    it('serves the tenant its events newest first, filtered and paged, with who did what', async () => {
      const formId = await createForm(api, owner, { title: 'Audited' });
      const patched = await api.http
        .patch(`/api/v1/forms/${formId}`)
        .set(editor.headers)
        .set('x-request-id', 'audit-request-1')
        .send({ title: 'Audited again' })
        .expect(200);
      // The audit log keeps the server's id of the request; the caller's own id rides beside it.
      const serverRequestId = patched.headers['x-request-id'];
      expect(serverRequestId).toMatch(/^[0-9a-f-]{36}$/);

      const trail = await api.http.get('/api/v1/events').query({ entity_id: formId }).set(owner.headers).expect(200);
      expect(trail.body.data.map((event: { event_type: string }) => event.event_type)).toEqual([
        'form.updated',
        'form.published',
        'form.created',
      ]);
      expect(trail.body.data[0]).toMatchObject({
        tenant_id: 'acme',
        user_id: editor.user_id,
        entity_id: formId,
        metadata: { request_id: serverRequestId, client_request_id: 'audit-request-1', source: 'api' },
      });

      const typed = await api.http.get('/api/v1/events').query({ type: 'form.updated' }).set(owner.headers).expect(200);
      expect(typed.body.data.every((event: { event_type: string }) => event.event_type === 'form.updated')).toBe(true);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { event_id: string }[]; next_cursor: string | null } = (
          await api.http
            .get('/api/v1/events')
            .query({ limit: 2, ...(cursor ? { cursor } : {}) })
            .set(owner.headers)
            .expect(200)
        ).body;
        seen.push(...page.data.map((event) => event.event_id));
        cursor = page.next_cursor;
      } while (cursor);
      const all = await api.http.get('/api/v1/events').query({ limit: 100 }).set(owner.headers).expect(200);
      expect(seen).toEqual(all.body.data.map((event: { event_id: string }) => event.event_id));
      const times = all.body.data.map((event: { timestamp: string }) => Date.parse(event.timestamp));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(all.body.data.every((event: { tenant_id: string }) => event.tenant_id === 'acme')).toBe(true);
      expect(all.body.data.some((event: { event_type: string }) => event.event_type === 'invitation.created')).toBe(
        false,
      );

      const future = await api.http
        .get('/api/v1/events')
        .query({ from: new Date(Date.now() + DAY_MS).toISOString() })
        .set(owner.headers)
        .expect(200);
      expect(future.body).toEqual({ data: [], next_cursor: null });
    });

    it('refuses members below owner and bad filters', async () => {
      expect((await api.http.get('/api/v1/events').set(editor.headers)).status).toBe(403);
      for (const query of [{ type: 'invitation.created' }, { cursor: 'bogus' }, { from: 'yesterday' }, { limit: 0 }]) {
        const refused = await api.http.get('/api/v1/events').query(query).set(owner.headers);
        expect([refused.status, refused.body.error]).toEqual([400, 'validation_failed']);
      }
    });
  });

  describe('deleting a tenant', () => {
    const snapshotOf = async (tenantId: string) => {
      const snapshot: Record<string, string> = {};
      for (const name of (await collectionNames()).sort()) {
        const documents = await db().collection(name).find({ tenant_id: tenantId }).sort({ _id: 1 }).toArray();
        if (documents.length) snapshot[name] = EJSON.stringify(documents, { relaxed: false });
      }
      return snapshot;
    };
    const populate = async (tenantId: string) => {
      await createTenant(api, tenantId, { features: { webhooks: true } });
      const tenantOwner = await addMember(api, tenantId);
      const formId = await formWithFile(tenantOwner);
      const fileId = await publicUpload(tenantId, formId, `bytes of ${tenantId}`);
      await submit(tenantId, formId, { email: 'someone@example.com', attachment: fileId });
      await api.http
        .post('/api/v1/webhooks')
        .set(tenantOwner.headers)
        .send({ url: receiver.url(`/${tenantId}`), events: ['response.submitted'] })
        .expect(201);
      await api.http
        .post('/api/v1/invitations')
        .set(tenantOwner.headers)
        .send({ email: 'later@example.com', role: 'viewer' })
        .expect(201);
      await api.http
        .post(`/api/v1/forms/${formId}/exports`)
        .set(tenantOwner.headers)
        .send({ format: 'csv' })
        .expect(202);
      return { tenantOwner, formId };
    };

    it('suspends it at once, erases every document, file and job of it, and leaves another tenant byte-identical', async () => {
      const { tenantOwner } = await populate('doomed');
      await populate('survivor');
      await eventually(
        () => worker.get<Queue>(getQueueToken('export')).getJobCounts('waiting', 'active', 'delayed'),
        (counts) => counts.waiting + counts.active + counts.delayed === 0,
      );
      await eventually(
        () => worker.get<Queue>(getQueueToken('email')).getJobCounts('waiting', 'active', 'delayed'),
        (counts) => counts.waiting + counts.active + counts.delayed === 0,
      );
      const survivorBefore = await snapshotOf('survivor');
      expect(Object.keys(await snapshotOf('doomed')).length).toBeGreaterThanOrEqual(8);
      expect(await storedFilesContaining('bytes of doomed')).toHaveLength(1);

      await queue('erasure').pause();
      const asked = new Date();
      const accepted = await api.http.delete('/api/v1/admin/tenants/doomed').set(adminHeaders).expect(202);
      // What the event relay asks before it delivers a pending tenant.deleted again: did it happen?
      const happened = (tenantId: string) =>
        TenantContext.runForTenant(tenantId, () =>
          api.app.get(EventEntitiesService).happened(EventType.TenantDeleted, tenantId, asked),
        );
      expect([await happened('doomed'), await happened('survivor'), await happened('never-was')]).toEqual([
        true,
        false,
        true,
      ]);
      expect(accepted.body.status).toBe('deleting');
      const shown = await api.http.get('/api/v1/admin/tenants/doomed').set(adminHeaders).expect(200);
      expect(shown.body.status).toBe('deleting');
      const refused = await api.http.get('/api/v1/forms').set(tenantOwner.headers);
      expect([refused.status, refused.body.error]).toEqual([403, 'tenant_suspended']);
      const reactivate = await api.http
        .patch('/api/v1/admin/tenants/doomed')
        .set(adminHeaders)
        .send({ status: 'active' });
      expect([reactivate.status, reactivate.body.error]).toEqual([409, 'conflict']);

      await queue('erasure').resume();
      await eventually(
        async () => (await api.http.get('/api/v1/admin/tenants/doomed').set(adminHeaders)).status,
        (status) => status === 404,
        20_000,
      );
      await api.http.get('/api/v1/admin/tenants/doomed').set(adminHeaders).expect(404);

      expect(await snapshotOf('doomed')).toEqual({});
      for (const name of await collectionNames()) {
        expect([name, await db().collection(name).countDocuments({ tenant_id: 'doomed' })]).toEqual([name, 0]);
      }
      expect(await storedFilesContaining('bytes of doomed')).toEqual([]);
      for (const name of ['email', 'webhook', 'export', 'erasure', 'housekeeping', 'diagnostics']) {
        const jobs = await queue(name).getJobs(['waiting', 'delayed', 'failed', 'completed']);
        expect(jobs.filter((job) => job?.data?.tenant_id === 'doomed').map((job) => job.id)).toEqual([]);
      }
      expect(await snapshotOf('survivor')).toEqual(survivorBefore);
      const gone = await api.http.get('/api/v1/forms').set(tenantOwner.headers);
      expect([gone.status, gone.body.error]).toEqual([404, 'tenant_not_found']);

      // Its id is held back (DELETED_TENANT_ID_HOLD_DAYS, 30): a new tenant cannot take it yet.
      const recreate = () =>
        api.http.post('/api/v1/admin/tenants').set(adminHeaders).send({ tenant_id: 'doomed', name: 'Doomed again' });
      const held = await recreate();
      expect([held.status, held.body.error]).toEqual([409, 'conflict']);
      expect(held.body.message).toMatch(/^Tenant id 'doomed' belonged to a deleted tenant; it can be used again from /);
      const reusableFrom = Date.parse(held.body.message.split(' from ')[1]);
      expect(Math.round((reusableFrom - Date.now()) / DAY_MS)).toBe(30);
      await db()
        .collection('deleted_tenant_ids')
        .updateOne({ _id: 'doomed' as never }, { $set: { reusable_from: new Date(Date.now() - 1000) } });
      await recreate().expect(201);
      expect(Object.keys(await snapshotOf('doomed'))).toEqual(['tenants']);
    });

    it('waits for a job running during the sweep and sweeps again: nothing it writes back is left', async () => {
      await createTenant(api, 'lingering', { features: { webhooks: true } });
      const lingeringOwner = await addMember(api, 'lingering');
      const formId = await createForm(api, lingeringOwner);
      await api.http
        .post('/api/v1/webhooks')
        .set(lingeringOwner.headers)
        .send({ url: receiver.url('/lingering'), events: ['response.submitted'] })
        .expect(201);
      receiver.hold('/lingering', 3_000);
      await submit('lingering', formId, { email: 'late@example.com' });
      // The delivery is under way (its answer held back): it records its attempt once the answer comes.
      await eventually(
        async () => receiver.received.filter((hit) => hit.path === '/lingering').length,
        (hits) => hits === 1,
      );

      await api.http.delete('/api/v1/admin/tenants/lingering').set(adminHeaders).expect(202);
      await eventually(
        async () => (await api.http.get('/api/v1/admin/tenants/lingering').set(adminHeaders)).status,
        (status) => status === 404,
        30_000,
      );
      await eventually(
        () => queue('webhook').getJobCounts('active'),
        (counts) => counts.active === 0,
      );
      const left: Record<string, number> = {};
      for (const name of await collectionNames()) {
        const count = await db().collection(name).countDocuments({ tenant_id: 'lingering' });
        if (count) left[name] = count;
      }
      expect(left).toEqual({});
    }, 45_000);

    it('fails loudly, to run again, while a job of the tenant still runs after TENANT_ERASURE_WAIT_MS', async () => {
      await createTenant(api, 'stubborn', { features: { webhooks: true } });
      const stubbornOwner = await addMember(api, 'stubborn');
      const formId = await createForm(api, stubbornOwner);
      await api.http
        .post('/api/v1/webhooks')
        .set(stubbornOwner.headers)
        .send({ url: receiver.url('/stubborn'), events: ['response.submitted'] })
        .expect(201);
      receiver.hold('/stubborn', 7_000);
      await submit('stubborn', formId, { email: 'late@example.com' });
      await eventually(
        async () => receiver.received.filter((hit) => hit.path === '/stubborn').length,
        (hits) => hits === 1,
      );

      await api.http.delete('/api/v1/admin/tenants/stubborn').set(adminHeaders).expect(202);
      const erasure = await eventually(
        async () => queue('erasure').getJob('erase-tenant.stubborn'),
        (job) => (job?.attemptsMade ?? 0) >= 1,
        15_000,
      );
      expect(erasure?.failedReason).toMatch(
        /^Tenant 'stubborn' still has \d+ documents and 1 running jobs after \d+ sweeps/,
      );
      const shown = await api.http.get('/api/v1/admin/tenants/stubborn').set(adminHeaders).expect(200);
      expect(shown.body.status).toBe('deleting');

      // Once the delivery has ended, the erasure's next run (a retry, or the hourly sweep) finishes.
      await eventually(
        () => queue('webhook').getJobCounts('active'),
        (counts) => counts.active === 0,
      );
      expect(await worker.get(TenantErasureService).finishPending()).toBeGreaterThanOrEqual(1);
      await api.http.get('/api/v1/admin/tenants/stubborn').set(adminHeaders).expect(404);
      for (const name of await collectionNames()) {
        expect([name, await db().collection(name).countDocuments({ tenant_id: 'stubborn' })]).toEqual([name, 0]);
      }
    }, 45_000);

    it('leaves a tenant whose own erasure job waits or runs to that job: the hourly sweep skips it', async () => {
      await createTenant(api, 'queued-erasure');
      const jobId = 'erase-tenant.queued-erasure';
      await queue('erasure').pause();
      try {
        await api.http.delete('/api/v1/admin/tenants/queued-erasure').set(adminHeaders).expect(202);
        const job = await eventually(
          async () => queue('erasure').getJob(jobId),
          (found) => found !== undefined,
        );
        expect(await job?.getState()).toBe('waiting');

        await worker.get(TenantErasureService).finishPending();
        // Not erased by the sweep (which would also have removed the tenant's jobs, its erasure among them).
        const shown = await api.http.get('/api/v1/admin/tenants/queued-erasure').set(adminHeaders).expect(200);
        expect(shown.body.status).toBe('deleting');
        expect(await (await queue('erasure').getJob(jobId))?.getState()).toBe('waiting');
      } finally {
        await queue('erasure').resume();
      }
      // Its own job erases it.
      await eventually(
        async () => (await api.http.get('/api/v1/admin/tenants/queued-erasure').set(adminHeaders)).status,
        (status) => status === 404,
        20_000,
      );
      await api.http.get('/api/v1/admin/tenants/queued-erasure').set(adminHeaders).expect(404);
    });

    it('refuses the default tenant and answers 404 for a missing one', async () => {
      const refused = await api.http.delete('/api/v1/admin/tenants/default').set(adminHeaders);
      expect([refused.status, refused.body.error]).toEqual([409, 'conflict']);
      await api.http.delete('/api/v1/admin/tenants/no-such-tenant').set(adminHeaders).expect(404);
    });
  });
});
