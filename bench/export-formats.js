// Exports in each format: seeds one form with BENCH_EXPORT_RESPONSES responses (default 100,000; a
// text, a number, a checkbox, a date and a multiselect field), then runs the export job's work
// (`ExportsService.run`: the cursor, the format's writer, the file written to the shared store) once
// per format, and prints rows per second and the process's peak memory above what it used before the
// run (RSS and V8 heap, sampled every 20 ms): flat memory means the peak stays far below the file's size.
// Usage: npm run bench -- export-formats (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/export-formats.js)
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { TenantContext } from '../dist/infrastructure/tenancy/tenant-context.js';
import { FormExport } from '../dist/modules/exports/export.schema.js';
import { ExportsModule } from '../dist/modules/exports/exports.module.js';
import { ExportsService } from '../dist/modules/exports/exports.service.js';
import { FilesService } from '../dist/modules/files/files.service.js';
import { Form } from '../dist/modules/forms/form.schema.js';
import { FormResponse } from '../dist/modules/responses/response.schema.js';
import { benchContext } from './support/nest-context.js';

const RESPONSES = Number(process.env.BENCH_EXPORT_RESPONSES ?? 100_000);
const SEED_BATCH = 2_000;
const FORMATS = ['csv', 'json', 'xlsx'];

const app = await benchContext('export_formats', ExportsModule);
await app.get(getConnectionToken()).dropDatabase();
const model = (schema) => app.get(getModelToken(schema.name));
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);

const fields = [
  { key: 'name', type: 'text', label: 'Name' },
  { key: 'age', type: 'number', label: 'Age' },
  { key: 'agree', type: 'checkbox', label: 'Agree' },
  { key: 'born', type: 'date', label: 'Born' },
  { key: 'tags', type: 'multiselect', label: 'Tags', options: ['a', 'b', 'c'] },
];

/** Runs `work` while sampling memory; answers its result, its duration and the peaks above the start. */
async function measured(work) {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const peak = { rss: before.rss, heapUsed: before.heapUsed };
  const sample = () => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  try {
    const result = await work();
    sample();
    return {
      result,
      ms: performance.now() - started,
      rss: peak.rss - before.rss,
      heap: peak.heapUsed - before.heapUsed,
    };
  } finally {
    clearInterval(sampler);
  }
}

await TenantContext.runForTenant('bench', async () => {
  const formId = new Types.ObjectId();
  await model(Form).create({
    _id: formId,
    title: 'Bench',
    slug: 'bench',
    owner_id: 'bench',
    status: 'published',
    fields,
  });
  const seeding = performance.now();
  for (let seeded = 0; seeded < RESPONSES; seeded += SEED_BATCH) {
    const count = Math.min(SEED_BATCH, RESPONSES - seeded);
    const responses = Array.from({ length: count }, (_, index) => {
      const _id = new Types.ObjectId();
      const n = seeded + index;
      const data = {
        name: `Visitor ${n} — Zoë, "quoted"`,
        age: n % 90,
        agree: n % 2 === 0,
        born: `19${String(50 + (n % 50)).padStart(2, '0')}-0${1 + (n % 9)}-1${n % 10}`,
        tags: ['a', 'c'],
      };
      const at = new Date();
      return {
        _id,
        form_id: formId,
        form_version: 1,
        data,
        dedup_key: `id:${_id.toHexString()}`,
        created_at: at,
        updated_at: at,
      };
    });
    await model(FormResponse).insertMany(responses, { lean: true });
  }
  console.log(
    `seeded ${RESPONSES.toLocaleString('en')} responses in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );

  console.log(
    `| exporting ${RESPONSES.toLocaleString('en')} responses | total | rows/s | file | peak RSS growth | peak heap growth |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const format of FORMATS) {
    const record = await model(FormExport).create({ form_id: formId, format });
    const run = await measured(() =>
      app.get(ExportsService).run(record._id, { signal: new AbortController().signal, lastAttempt: true }),
    );
    const done = await model(FormExport).findById(record._id).lean();
    const { file, content } = await app.get(FilesService).open(done.file_id);
    content.destroy();
    if (run.result.row_count !== RESPONSES) throw new Error(`${format}: ${run.result.row_count} rows`);
    console.log(
      `| ${format} | ${(run.ms / 1000).toFixed(1)} s | ${Math.round(RESPONSES / (run.ms / 1000)).toLocaleString('en')} | ${mb(file.size)} MB | ${mb(run.rss)} MB | ${mb(run.heap)} MB |`,
    );
    await app.get(FilesService).erase(done.file_id);
  }
});
await app.close();
