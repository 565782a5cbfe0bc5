// The hot path, side by side on the same store: a bare node:http server doing one insertOne per
// request, against the API's form submission (validated, quota-checked, stored, event emitted).
// Goal: the API at >= 0.6x the baseline's requests per second.
// Usage: npm run bench (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/submission.js)
import mongoose from 'mongoose';
import { api, freePort, spawnServer, startApiWithEditor, waitForHttp } from './support/api-process.js';
import { benchDatabaseUrl, postLoad } from './support/load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const submission = () => ({ data: { email: 'visitor@example.com', message: 'Hello from the benchmark', rating: 4 } });

async function baseline() {
  const port = await freePort();
  const server = spawnServer(new URL('./support/bare-insert-server.js', import.meta.url).pathname, {
    PORT: String(port),
    MONGO_URL: benchDatabaseUrl('submission_baseline'),
  });
  await waitForHttp(`http://127.0.0.1:${port}/`);
  const result = await postLoad({
    url: `http://127.0.0.1:${port}/submit`,
    body: submission,
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    expectedStatus: 201,
  });
  await server.stop();
  return result;
}

async function submissions() {
  const { base, tenant, auth, stop } = await startApiWithEditor('submission_api', {
    // Every client here is 127.0.0.1: the limit is counted on every request (its real cost) but never reached.
    RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '1000000000',
  });
  const form = await api(base, '/api/v1/forms', {
    headers: auth,
    body: {
      title: 'Bench',
      fields: [
        { key: 'email', type: 'email', label: 'Email', required: true },
        { key: 'message', type: 'textarea', label: 'Message', max_length: 2000 },
        { key: 'rating', type: 'number', label: 'Rating', min: 1, max: 5 },
      ],
    },
  });
  await api(base, `/api/v1/forms/${form.form_id}/publish`, { headers: auth });
  const result = await postLoad({
    url: `${base}/api/v1/forms/${form.form_id}/submit`,
    headers: { 'x-tenant-id': tenant },
    body: submission,
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    expectedStatus: 201,
  });
  await stop();
  return result;
}

const bare = await baseline();
const full = await submissions();
for (const name of ['submission_baseline', 'submission_api']) {
  const connection = await mongoose.createConnection(benchDatabaseUrl(name)).asPromise();
  await connection.dropDatabase();
  await connection.close();
}
const line = (label, result) =>
  `${label.padEnd(34)} ${result.rps.toFixed(0).padStart(6)} req/s  ${result.latency}  (non-201: ${result.failed})`;
console.log(`${SECONDS} s each, ${CONCURRENCY} concurrent keep-alive clients`);
console.log(line('node:http + one insertOne', bare));
console.log(line('POST /forms/:form_id/submit', full));
console.log(`ratio ${(full.rps / bare.rps).toFixed(2)}x (goal >= 0.60x)`);
