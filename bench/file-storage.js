// What the file store costs on the paths that touch it: member uploads (POST /files, streamed into
// the store), downloads (GET /files/:id, streamed out of it) and a submission naming an uploaded file,
// for small and large files, against the API alone. Run it on two commits to compare stores.
// Usage: npm run bench (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/file-storage.js)
import { Blob } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { post } from '../harness/http-client.js';
import { startApiWithEditor } from './support/api-process.js';
import { benchDatabaseUrl, percentiles } from './support/load.js';

const SECONDS = Number(process.env.BENCH_FILE_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_FILE_CONCURRENCY ?? 8);
const SIZES = [
  ['10 KiB', 10 * 1024],
  ['1 MiB', 1024 * 1024],
];

/** `concurrency` clients run `request()` (answering whether it succeeded) for SECONDS. */
async function closedLoop(request) {
  const latencies = [];
  let failed = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const ok = await request().catch(() => false);
      latencies.push(performance.now() - started);
      if (!ok) failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const seconds = (performance.now() - started) / 1000;
  return { rps: (latencies.length - failed) / seconds, latency: percentiles(latencies, 1), failed };
}

const { base, auth, stop } = await startApiWithEditor('file_storage', {
  RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '1000000000',
  RATE_LIMIT_SUBMISSIONS_PER_CLIENT_PER_MINUTE: '1000000000',
  FILE_MAX_BYTES: String(2 * 1024 * 1024),
});
const form = await post(base, '/api/v1/forms', {
  headers: auth,
  body: { title: 'Files', fields: [{ key: 'attachment', type: 'file', label: 'Attachment', required: true }] },
});
await post(base, `/api/v1/forms/${form.form_id}/publish`, { headers: auth });

const rows = [];
for (const [label, size] of SIZES) {
  const bytes = new Uint8Array(size).fill(97);
  const uploaded = [];
  const upload = await closedLoop(async () => {
    const body = new globalThis.FormData();
    body.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'bench.bin');
    const response = await fetch(`${base}/api/v1/files`, { method: 'POST', headers: auth, body });
    if (response.status !== 201) return false;
    uploaded.push((await response.json()).file_id);
    return true;
  });
  let next = 0;
  const download = await closedLoop(async () => {
    const response = await fetch(`${base}/api/v1/files/${uploaded[next++ % uploaded.length]}`, { headers: auth });
    const received = (await response.arrayBuffer()).byteLength;
    return response.status === 200 && received === size;
  });
  let unused = 0;
  const submit = await closedLoop(async () => {
    const fileId = uploaded[unused++ % uploaded.length];
    const response = await fetch(`${base}/api/v1/forms/${form.form_id}/submit`, {
      method: 'POST',
      // A member's submission: only members may name members' uploads (visitors name uploads to the form).
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { attachment: fileId } }),
    });
    await response.arrayBuffer();
    return response.status === 201;
  });
  rows.push([`upload ${label}`, upload], [`download ${label}`, download], [`submit naming a ${label} file`, submit]);
}
await stop();
const connection = await mongoose.createConnection(benchDatabaseUrl('file_storage')).asPromise();
await connection.dropDatabase();
await connection.close();

console.log(`${SECONDS} s each, ${CONCURRENCY} concurrent clients`);
for (const [label, result] of rows) {
  console.log(
    `${label.padEnd(30)} ${result.rps.toFixed(1).padStart(7)} req/s  ${result.latency}  (failed: ${result.failed})`,
  );
}
