import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('files', () => {
  let api: E2eApp;
  let acme: SignedInUser;
  let globex: SignedInUser;
  let storageDir: string;

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'form-backend-files-'));
    useTestEnvironment('files', { LOG_LEVEL: 'error', FILE_STORAGE_DIR: storageDir, FILE_MAX_BYTES: '1024' });
    api = await createE2eApp();
    await createTenant(api, 'acme');
    await createTenant(api, 'globex');
    acme = await addMember(api, 'acme');
    globex = await addMember(api, 'globex');
  });

  afterAll(async () => {
    await api.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('stores an upload and serves the same bytes with its content type, as an attachment', async () => {
    const bytes = Buffer.from('%PDF-1.7 not really');
    const uploaded = await api.http
      .post('/api/v1/files')
      .set(acme.headers)
      .attach('file', bytes, { filename: 'my cv.pdf', contentType: 'application/pdf' })
      .expect(201);
    expect(uploaded.body).toEqual({
      file_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      filename: 'my cv.pdf',
      content_type: 'application/pdf',
      size: bytes.length,
    });
    const downloaded = await api.http
      .get(`/api/v1/files/${uploaded.body.file_id}`)
      .set(acme.headers)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(downloaded.body).toEqual(bytes);
    expect(downloaded.headers['content-type']).toBe('application/pdf');
    expect(downloaded.headers['content-disposition']).toBe("attachment; filename*=UTF-8''my%20cv.pdf");
    expect(downloaded.headers['x-content-type-options']).toBe('nosniff');
    expect(await readdir(join(storageDir, 'acme'))).toEqual([uploaded.body.file_id]);
  });

  it("answers 404 for another tenant's file, exactly as for a missing one", async () => {
    const uploaded = await api.http.post('/api/v1/files').set(acme.headers).attach('file', Buffer.from('x'), 'x.txt');
    const foreign = await api.http.get(`/api/v1/files/${uploaded.body.file_id}`).set(globex.headers);
    const missing = await api.http.get('/api/v1/files/0123456789abcdef01234567').set(globex.headers);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
  });

  it('refuses files over FILE_MAX_BYTES with 413 and keeps no partial bytes', async () => {
    const before = await readdir(join(storageDir, 'acme'));
    const tooLarge = await api.http
      .post('/api/v1/files')
      .set(acme.headers)
      .attach('file', Buffer.alloc(4096, 1), 'big.bin');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toBe('payload_too_large');
    expect(await readdir(join(storageDir, 'acme'))).toEqual(before);
  });

  it('refuses non-multipart bodies, a wrong field name, and anonymous uploads', async () => {
    const json = await api.http.post('/api/v1/files').set(acme.headers).send({ file: 'x' });
    expect([json.status, json.body.error]).toEqual([415, 'unsupported_media_type']);
    const wrongField = await api.http
      .post('/api/v1/files')
      .set(acme.headers)
      .attach('document', Buffer.from('x'), 'x.txt');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.details).toEqual([
      { field: 'file', message: 'send the file in a multipart field named "file"' },
    ]);
    const anonymous = await api.http
      .post('/api/v1/files')
      .set('x-tenant-id', 'acme')
      .attach('file', Buffer.from('x'), 'x.txt');
    expect(anonymous.status).toBe(401);
  });
});
