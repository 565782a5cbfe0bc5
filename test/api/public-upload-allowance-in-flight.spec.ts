import { type ClientRequest, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SharedRedis } from '../../src/infrastructure/redis/shared-redis.js';
import { ALLOWANCE_STEP_BYTES } from '../../src/modules/files/metered-upload.js';
import { addMember, createForm, createTenant } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** FILE_MAX_BYTES and a daily allowance of two such files, so that two held reservations of old used it all. */
const MIB = 1024 * 1024;
const ALLOWANCE = 2 * MIB;
const WITH_FILE = [
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'cv', type: 'file', label: 'CV' },
];
const BOUNDARY = 'slow-upload-boundary';
const PART_HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
const PART_TAIL = `\r\n--${BOUNDARY}--\r\n`;

describe('slow anonymous uploads hold no more of the daily allowance than they sent, and a step', () => {
  let api: E2eApp;
  let port: number;
  let queuePrefix: string;
  let formId: string;
  /** Every slow client's request, destroyed at the end whatever happened (an open one would hold the close up). */
  const slowClients: ClientRequest[] = [];

  /** What the tenant's counter holds today: bytes stored plus bytes uploads under way have taken. */
  const counted = async () => {
    const day = new Date().toISOString().slice(0, 10);
    const key = `${queuePrefix}:bytes:public-upload-bytes:acme:${day}`;
    return Number((await api.app.get(SharedRedis).client.get(key)) ?? 0);
  };
  const until = async (check: (held: number) => boolean) => {
    for (let attempt = 0; attempt < 250 && !check(await counted()); attempt += 1) await sleep(20);
    return counted();
  };
  /**
   * An upload that sends its part's head and `sent` bytes of the file, then nothing more: with a
   * Content-Length announcing `declared` file bytes, or chunked (no length at all).
   */
  const slowUpload = (sent: number, declared?: number) => {
    const headers: Record<string, string> = {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'x-tenant-id': 'acme',
    };
    if (declared !== undefined) headers['content-length'] = String(PART_HEAD.length + declared + PART_TAIL.length);
    const upload = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v1/forms/${formId}/files`,
      headers,
    });
    upload.on('error', () => undefined); // abandoned below: the socket is destroyed
    slowClients.push(upload);
    upload.write(PART_HEAD);
    upload.write(Buffer.alloc(sent, 'x'));
    return upload;
  };
  const upload = (bytes: number) =>
    api.http
      .post(`/api/v1/forms/${formId}/files`)
      .set('x-tenant-id', 'acme')
      .attach('file', Buffer.alloc(bytes, 'y'), { filename: 'cv.pdf', contentType: 'application/pdf' });

  beforeAll(async () => {
    ({ queuePrefix } = useTestEnvironment('upload-in-flight', {
      FILE_MAX_BYTES: String(MIB),
      PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY: String(ALLOWANCE),
    }));
    api = await createE2eApp();
    // A real socket for the slow clients: supertest sends whole bodies.
    await api.app.listen(0, '127.0.0.1');
    port = (api.app.getHttpServer().address() as AddressInfo).port;
    await createTenant(api, 'acme');
    formId = await createForm(api, await addMember(api, 'acme'), { title: 'Jobs', fields: WITH_FILE });
  });

  afterAll(async () => {
    for (const client of slowClients) client.destroy();
    await api.close();
  });

  it('takes bytes as they arrive: stalled uploads (inflated Content-Length, or chunked) do not lock out the others', async () => {
    // Each says it brings a whole FILE_MAX_BYTES file (or says nothing), sends 10 bytes and stalls.
    const stalled = [slowUpload(10, MIB), slowUpload(10, MIB), slowUpload(10), slowUpload(10)];
    // Each holds what it sent and one step ahead: not FILE_MAX_BYTES each for as long as it stays open.
    expect(await until((held) => held >= 4 * ALLOWANCE_STEP_BYTES)).toBe(4 * ALLOWANCE_STEP_BYTES);

    // A whole FILE_MAX_BYTES file from another visitor still fits meanwhile.
    await upload(MIB).expect(201);
    expect(await counted()).toBe(MIB + 4 * ALLOWANCE_STEP_BYTES);

    // Abandoned, they give back everything they held: exactly the stored file stays counted.
    for (const request of stalled) request.destroy();
    expect(await until((held) => held <= MIB)).toBe(MIB);
    await upload(MIB).expect(201);
    const over = await upload(1);
    expect([over.status, over.body.error]).toEqual([413, 'payload_too_large']);
    expect(over.body.message).toMatch(/allowance/);
  });
});
