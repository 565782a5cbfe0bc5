import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import supertest from 'supertest';
import { freePort } from '../../harness/ports.js';
import { startSmtpSink, type SmtpSink } from '../../harness/smtp-sink.js';
import { addMember, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { startNode, type RunningProcess } from '../support/child-process.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

type Http = ReturnType<typeof supertest>;

const SUBMISSIONS = 20;

/** The body as bytes, whatever its content type. */
const bytesOf = (request: supertest.Test) =>
  request.buffer(true).parse((response, callback) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => callback(null, Buffer.concat(chunks)));
  });

/**
 * Two API processes and two workers, the real entry points, on one MongoDB and one Redis: what a
 * deployment with replicas does. Bytes, responses, notifications and exports must not depend on
 * which replica took a request or a job.
 */
describe('two API replicas and two workers on the same stores', () => {
  let setup: E2eApp;
  let sink: SmtpSink;
  let owner: SignedInUser;
  const processes: RunningProcess[] = [];
  const apis: Http[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    useTestEnvironment('replicas', { SMTP_URL: sink.url });
    // In-process only to seed the tenant and its owner (an operator's invitation); all traffic below
    // goes to the four processes.
    setup = await createE2eApp();
    await createTenant(setup, 'acme');
    owner = await addMember(setup, 'acme');
    const ports = [await freePort(), await freePort()];
    // Info level in the children only: their start-up lines say when they are ready.
    for (const port of ports) processes.push(startNode(['dist/main.js'], { PORT: String(port), LOG_LEVEL: 'info' }));
    for (let index = 0; index < 2; index += 1) processes.push(startNode(['dist/worker.js'], { LOG_LEVEL: 'info' }));
    await Promise.all(
      processes.map((process, index) => process.waitForOutput(index < 2 ? 'API listening' : 'worker started', 30_000)),
    );
    for (const port of ports) apis.push(supertest(`http://127.0.0.1:${port}`));
  }, 60_000);

  afterAll(async () => {
    for (const process of processes) process.child.kill('SIGTERM');
    await Promise.all(processes.map((process) => process.exit()));
    await setup.close();
    await sink.stop();
  });

  it('serves every upload from either API, stores each response once, notifies once, and exports across replicas', async () => {
    const [a, b] = apis;
    const created = await a
      .post('/api/v1/forms')
      .set(owner.headers)
      .send({
        title: 'Replicated',
        fields: [
          { key: 'message', type: 'text', label: 'Message', required: true },
          { key: 'attachment', type: 'file', label: 'Attachment' },
        ],
        settings: { send_notification: true },
      })
      .expect(201);
    const formId = created.body.form_id as string;
    await b.post(`/api/v1/forms/${formId}/publish`).set(owner.headers).expect(200);

    // A member's upload through one API and a visitor's through the other: each readable from both.
    const memberBytes = Buffer.from('member upload through API a');
    const memberUpload = await a
      .post('/api/v1/files')
      .set(owner.headers)
      .attach('file', memberBytes, 'member.txt')
      .expect(201);
    const visitorBytes = Buffer.alloc(300 * 1024, 'v');
    const visitorUpload = await b
      .post(`/api/v1/forms/${formId}/files`)
      .set('x-tenant-id', 'acme')
      .attach('file', visitorBytes, 'visitor.bin')
      .expect(201);
    for (const api of apis) {
      for (const [fileId, bytes] of [
        [memberUpload.body.file_id as string, memberBytes],
        [visitorUpload.body.file_id as string, visitorBytes],
      ] as const) {
        const downloaded = await bytesOf(api.get(`/api/v1/files/${fileId}`).set(owner.headers)).expect(200);
        expect(Buffer.compare(downloaded.body as Buffer, bytes)).toBe(0);
      }
    }

    // Submissions spread over both APIs; each one retried on the other API with its idempotency key.
    const responseIds = new Set<string>();
    for (let index = 0; index < SUBMISSIONS; index += 1) {
      const [first, retry] = index % 2 === 0 ? [a, b] : [b, a];
      const data = {
        message: `submission ${index}`,
        ...(index === 0 ? { attachment: visitorUpload.body.file_id } : {}),
      };
      const key = `replica-test-${index}`;
      const stored = await first
        .post(`/api/v1/forms/${formId}/submit`)
        .set({ 'x-tenant-id': 'acme', 'idempotency-key': key })
        .send({ data })
        .expect(201);
      // Every other retry is a web page's form post, its key in the `_idempotency_key` field.
      const repeated = await (
        index % 4 === 1
          ? retry
              .post(`/api/v1/forms/${formId}/submit?tenant=acme`)
              .set('accept', 'application/json')
              .type('form')
              .send({ message: data.message, _idempotency_key: key })
          : retry
              .post(`/api/v1/forms/${formId}/submit`)
              .set({ 'x-tenant-id': 'acme', 'idempotency-key': key })
              .send({ data })
      ).expect(201);
      expect(repeated.body.response_id).toBe(stored.body.response_id);
      responseIds.add(stored.body.response_id as string);
    }
    expect(responseIds.size).toBe(SUBMISSIONS);
    const stored = await setup.app
      .get<Connection>(getConnectionToken())
      .collection('form_responses')
      .find({ tenant_id: 'acme' }, { projection: { _id: 1 } })
      .toArray();
    expect(stored.map((response) => response._id.toHexString()).sort()).toEqual([...responseIds].sort());

    // One notification per response, whichever worker took it: counted again after a pause, in case
    // the second worker was about to send a duplicate.
    const notificationsFor = (id: string) =>
      sink.messages.filter((mail) => mail.subject === 'New response to "Replicated"' && mail.text.includes(id));
    await eventually(
      async () => [...responseIds].map((id) => notificationsFor(id).length),
      (counts) => counts.every((count) => count >= 1),
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect([...responseIds].map((id) => notificationsFor(id).length)).toEqual(Array(SUBMISSIONS).fill(1));
    expect(notificationsFor('').every((mail) => mail.to.join() === owner.email)).toBe(true);

    // An export requested through one API, written by a worker, downloaded through both.
    const requested = await b
      .post(`/api/v1/forms/${formId}/exports`)
      .set(owner.headers)
      .send({ format: 'csv' })
      .expect(202);
    const exportId = requested.body.export_id as string;
    await eventually(
      () => a.get(`/api/v1/exports/${exportId}`).set(owner.headers),
      (answer) => answer.body.status === 'completed',
      30_000,
    );
    const csvs = await Promise.all(
      apis.map(async (api) => {
        const answer = await api.get(`/api/v1/exports/${exportId}/download`).set(owner.headers).expect(200);
        return answer.text;
      }),
    );
    expect(csvs[0]).toBe(csvs[1]);
    const lines = csvs[0].trim().split('\r\n');
    expect(lines[0]).toBe('message,attachment,response_id,submitted_at');
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[2])
        .sort(),
    ).toEqual([...responseIds].sort());
  }, 120_000);
});
