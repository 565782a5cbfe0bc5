import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection, Types } from 'mongoose';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { FileErasureService } from '../../src/modules/files/file-erasure.service.js';
import { FilesService } from '../../src/modules/files/files.service.js';
import { FileStorage } from '../../src/modules/files/storage/file-storage.js';
import { createTenant, addMember, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { storedBlobs, storedChunkCount } from '../support/stored-blobs.js';
import { useTestEnvironment } from '../support/test-environment.js';

describe('files', () => {
  let api: E2eApp;
  let acme: SignedInUser;
  let globex: SignedInUser;
  const download = (fileId: string, headers: Record<string, string>) =>
    api.http
      .get(`/api/v1/files/${fileId}`)
      .set(headers)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      });

  /** Through the files service (past the HTTP limit of FILE_MAX_BYTES), as a member of acme. */
  const uploadAsAcme = (filename: string, bytes: Buffer) =>
    TenantContext.runForTenant('acme', () =>
      api.app
        .get(FilesService)
        .upload({ filename, content_type: 'application/octet-stream', content: Readable.from([bytes]) }, bytes.length),
    );

  beforeAll(async () => {
    useTestEnvironment('files', { LOG_LEVEL: 'silent', FILE_MAX_BYTES: '1024' });
    api = await createE2eApp();
    await createTenant(api, 'acme');
    await createTenant(api, 'globex');
    acme = await addMember(api, 'acme');
    globex = await addMember(api, 'globex');
  });

  afterAll(async () => {
    await api.close();
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
    const downloaded = await download(uploaded.body.file_id, acme.headers).expect(200);
    expect(downloaded.body).toEqual(bytes);
    expect(downloaded.headers['content-type']).toBe('application/pdf');
    expect(downloaded.headers['content-disposition']).toBe("attachment; filename*=UTF-8''my%20cv.pdf");
    expect(downloaded.headers['x-content-type-options']).toBe('nosniff');
    const blob = (await storedBlobs(api.app)).find((stored) => stored.key === `acme/${uploaded.body.file_id}`);
    expect(blob).toEqual({ key: `acme/${uploaded.body.file_id}`, tenant_id: 'acme', bytes });
  });

  it("answers 404 for another tenant's file, exactly as for a missing one", async () => {
    const uploaded = await api.http.post('/api/v1/files').set(acme.headers).attach('file', Buffer.from('x'), 'x.txt');
    const foreign = await api.http.get(`/api/v1/files/${uploaded.body.file_id}`).set(globex.headers);
    const missing = await api.http.get('/api/v1/files/0123456789abcdef01234567').set(globex.headers);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
  });

  it('refuses files over FILE_MAX_BYTES with 413 and keeps no partial bytes', async () => {
    const [blobsBefore, chunksBefore] = [(await storedBlobs(api.app)).length, await storedChunkCount(api.app)];
    const tooLarge = await api.http
      .post('/api/v1/files')
      .set(acme.headers)
      .attach('file', Buffer.alloc(4096, 1), 'big.bin');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toBe('payload_too_large');
    expect([(await storedBlobs(api.app)).length, await storedChunkCount(api.app)]).toEqual([blobsBefore, chunksBefore]);
  });

  it('streams large files through GridFS in 255 KiB chunks, each stamped with its tenant', async () => {
    const files = api.app.get(FilesService);
    const bytes = Buffer.alloc(700 * 1024);
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 31) % 251;
    const stored = await TenantContext.runForTenant('acme', () =>
      files.upload(
        {
          filename: 'big.bin',
          content_type: 'application/octet-stream',
          content: Readable.from([bytes.subarray(0, 300_000), bytes.subarray(300_000)]),
        },
        bytes.length,
      ),
    );
    const downloaded = await download(stored._id.toHexString(), acme.headers).expect(200);
    expect(Buffer.compare(downloaded.body as Buffer, bytes)).toBe(0);
    const chunks = await api.app
      .get<Connection>(getConnectionToken())
      .collection('blobs.chunks')
      .find({ files_id: stored._id })
      .project({ n: 1, tenant_id: 1, _id: 0 })
      .sort({ n: 1 })
      .toArray();
    expect(chunks).toEqual([0, 1, 2].map((n) => ({ n, tenant_id: 'acme' })));
  });

  it('stops reading an upload the moment it passes the limit, and keeps none of its chunks', async () => {
    const files = api.app.get(FilesService);
    const chunksBefore = await storedChunkCount(api.app);
    let piecesRead = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          piecesRead += 1;
          yield Buffer.alloc(64 * 1024, 7);
        }
      })(),
    );
    const upload = TenantContext.runForTenant('acme', () =>
      files.upload({ filename: 'endless.bin', content_type: 'application/octet-stream', content: endless }, 600 * 1024),
    );
    await expect(upload).rejects.toMatchObject({ status: 413 });
    expect(piecesRead).toBeLessThan(15);
    expect(await storedChunkCount(api.app)).toBe(chunksBefore);
  });

  it('cuts a download whose bytes fail mid-stream and logs it with the request id', async () => {
    const stored = await uploadAsAcme('two-chunks.bin', Buffer.alloc(300 * 1024, 3));
    const fileId = stored._id.toHexString();
    await api.app
      .get<Connection>(getConnectionToken())
      .collection('blobs.chunks')
      .deleteOne({ _id: `${fileId}:1` as never });
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const answer = await download(fileId, { ...acme.headers, 'x-request-id': 'broken-download-1' }).then(
        (response) => ({ complete: true, bytes: (response.body as Buffer).length }),
        () => ({ complete: false, bytes: 0 }),
      );
      expect(answer.complete && answer.bytes === 300 * 1024).toBe(false);
      expect(errors).toHaveBeenCalledWith(
        expect.objectContaining({
          msg: 'file download failed while streaming',
          file_id: fileId,
          reqId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          clientReqId: 'broken-download-1',
        }),
      );
    } finally {
      errors.mockRestore();
    }
  });

  it('sweeps bytes no record names (a crash between bytes and record, or mid-write), and keeps every other', async () => {
    const files = api.app.get(FileErasureService);
    const storage = api.app.get(FileStorage, { strict: false });
    const chunks = api.app.get<Connection>(getConnectionToken()).collection('blobs.chunks');
    const kept = await uploadAsAcme('kept.bin', Buffer.alloc(400 * 1024, 1));
    // Bytes written, record never created: what a crash between the two leaves.
    const withoutRecord = new Types.ObjectId();
    await TenantContext.runForTenant('globex', () =>
      storage.write(`globex/${withoutRecord.toHexString()}`, Readable.from([Buffer.alloc(300 * 1024, 2)]), 1e6),
    );
    // Two chunks and no file document: a crash in the middle of writing.
    const halfWritten = new Types.ObjectId();
    for (const n of [0, 1]) {
      await chunks.insertOne({
        _id: `${halfWritten.toHexString()}:${n}` as never,
        tenant_id: 'acme',
        files_id: halfWritten,
        n,
        data: Buffer.alloc(10),
      });
    }
    const keys = async () => new Set((await storedBlobs(api.app)).map((blob) => blob.key));
    const chunkCountOf = (id: Types.ObjectId) => chunks.countDocuments({ files_id: id });

    // Nothing younger than an hour is touched: the upload may still be on its way to its record.
    expect(await files.eraseAbandonedBytes(new Date())).toBe(0);
    expect(await chunkCountOf(halfWritten)).toBe(2);

    const erased = await files.eraseAbandonedBytes(new Date(Date.now() + 2 * 60 * 60 * 1000));

    expect(erased).toBe(2);
    expect(await chunkCountOf(withoutRecord)).toBe(0);
    expect(await chunkCountOf(halfWritten)).toBe(0);
    expect((await keys()).has(`globex/${withoutRecord.toHexString()}`)).toBe(false);
    expect((await keys()).has(`acme/${kept._id.toHexString()}`)).toBe(true);
    expect(await chunkCountOf(kept._id)).toBe(2);
    await download(kept._id.toHexString(), acme.headers).expect(200);
  });

  it("answers the contract's 404 body when a file's bytes are missing from storage", async () => {
    const uploaded = await api.http
      .post('/api/v1/files')
      .set(acme.headers)
      .attach('file', Buffer.from('lost'), 'l.txt');
    await api.app
      .get<Connection>(getConnectionToken())
      .collection('blobs.files')
      .deleteOne({ _id: new Types.ObjectId(uploaded.body.file_id as string) });
    const answer = await api.http.get(`/api/v1/files/${uploaded.body.file_id}`).set(acme.headers);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: "The file's bytes are no longer stored",
    });
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
    // A body that ends before its first part is over (found by the api-fuzz drill: it was a 500).
    const malformed = await api.http
      .post('/api/v1/files')
      .set(acme.headers)
      .set('content-type', 'multipart/form-data; boundary=c7a772faf53d70f91788f3ddbab69e2b')
      .send('--c7a772faf53d70f91788f3ddbab69e2b\r\n-19623189--c7a772faf53d70f91788f3ddbab69e2b--\r\n');
    expect([malformed.status, malformed.body.details]).toEqual([
      400,
      [{ field: 'file', message: 'the multipart body is malformed' }],
    ]);
  });
});
