import autocannon from 'autocannon';
import { freePort, spawnServer, waitForHttp, api, startApiWithEditor } from './support/api-process.js';
import { benchDatabaseUrl } from './support/load.js';
const SECS = Number(process.env.SECS ?? 8);
const body = JSON.stringify({ data: { email: 'visitor@example.com', message: 'Hello from the benchmark', rating: 4 } });
const load = (url, headers, d) => autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections: 32, duration: d });
const port = await freePort();
const server = spawnServer(new URL('./support/bare-insert-server.js', import.meta.url).pathname, { PORT: String(port), MONGO_URL: benchDatabaseUrl('base') });
await waitForHttp(`http://127.0.0.1:${port}/`);
const { base, tenant, auth, stop } = await startApiWithEditor('prof_api', { RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '1000000000' });
const form = await api(base, '/api/v1/forms', { headers: auth, body: { title: 'B', fields: [
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'message', type: 'textarea', label: 'Message', max_length: 2000 },
  { key: 'rating', type: 'number', label: 'Rating', min: 1, max: 5 }] } });
await api(base, `/api/v1/forms/${form.form_id}/publish`, { headers: auth });
const ours = [`${base}/api/v1/forms/${form.form_id}/submit`, { 'x-tenant-id': tenant }];
const theirs = [`http://127.0.0.1:${port}/submit`, {}];
await load(...theirs, 2); await load(...ours, 2);
const rows = [];
for (let i = 0; i < Number(process.env.ROUNDS ?? 2); i++) {
  const b = await load(...theirs, SECS); const o = await load(...ours, SECS);
  rows.push([b['2xx'] / b.duration, o['2xx'] / o.duration, o.latency.p50, o.latency.p99, o.non2xx + o.errors]);
}
for (const [b, o, p50, p99, e] of rows) console.log(`base ${b.toFixed(0)} ours ${o.toFixed(0)} ratio ${(o / b).toFixed(2)} p50 ${p50} p99 ${p99} err ${e}`);
await stop(); await server.stop();
