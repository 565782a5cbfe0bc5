// Migration 001 at scale: seeds BENCH_MIGRATION_DOCS (100,000) v1 documents over the five collections,
// runs `migrate up` and `migrate down 1` through the real CLI, and prints documents per second and total
// times. Then the strategy question on one sample: copying each collection with its tenant (what 001
// does) against updating each document in place by _id.
// Usage: npm run bench (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/migration.js)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { seedLegacy } from '../scripts/seed-legacy.js';
import { benchDatabaseUrl } from './support/load.js';

const DOCS = Number(process.env.BENCH_MIGRATION_DOCS ?? 100_000);
const SAMPLE = 2_000;
const IN_PLACE_LIMIT_MS = 60_000;
const url = benchDatabaseUrl('migration');

function cli(args) {
  const env = {
    ...process.env,
    MONGO_URL: url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_API_KEY: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['dist/cli.js', 'migrate', ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`migrate ${args.join(' ')}: ${errors}`)),
    );
  });
}

const seconds = (ms) => (ms / 1000).toFixed(1);
const rate = (docs, ms) => Math.round(docs / (ms / 1000)).toLocaleString('en');

const connection = await mongoose.createConnection(url).asPromise();
const db = connection.db;
await db.dropDatabase();

let started = performance.now();
await seedLegacy(db, { docs: DOCS });
console.log(`seeded ${DOCS.toLocaleString('en')} v1 documents in ${seconds(performance.now() - started)} s`);

const upMs = await cli(['up']);
const downMs = await cli(['down', '1']);
console.log('| migration 001, %s documents | total | documents/s |', DOCS.toLocaleString('en'));
console.log('|---|---|---|');
console.log(`| up (back up, copy with tenant, swap, verify, index) | ${seconds(upMs)} s | ${rate(DOCS, upMs)} |`);
console.log(`| down 1 (restore, checksum) | ${seconds(downMs)} s | ${rate(DOCS, downMs)} |`);
console.log(`target: under 60 s for 100,000 (the plan's: under 10 min)`);

// The strategy: the same SAMPLE documents, copied into a new collection vs updated where they are.
await db.dropDatabase();
const source = db.collection('sample');
await source.insertMany(
  Array.from({ length: SAMPLE }, (_, index) => ({ n: index, data: { text: 'lorem ipsum '.repeat(8) } })),
);
started = performance.now();
let batch = [];
for await (const document of source.find({}, { sort: { _id: 1 }, batchSize: 1000 })) {
  batch.push({ ...document, tenant_id: 'default', migrated_at: new Date() });
  if (batch.length === 1000) {
    await db.collection('sample_copy').insertMany(batch, { ordered: false });
    batch = [];
  }
}
if (batch.length > 0) await db.collection('sample_copy').insertMany(batch, { ordered: false });
const copyMs = performance.now() - started;

// In place: each document without a tenant updated by _id, one update at a time (on the local store,
// bulks of updates stalled the store and never finished).
started = performance.now();
let updated = 0;
for (const { _id } of await source.find({}, { projection: { _id: 1 } }).toArray()) {
  if (performance.now() - started > IN_PLACE_LIMIT_MS) break;
  await source.updateOne({ _id }, { $set: { tenant_id: 'default', migrated_at: new Date() } });
  updated += 1;
}
const inPlaceMs = performance.now() - started;
console.log('| strategy, %s documents | time | documents/s |', SAMPLE.toLocaleString('en'));
console.log('|---|---|---|');
console.log(`| copy with tenant (001) | ${seconds(copyMs)} s | ${rate(SAMPLE, copyMs)} |`);
console.log(
  `| update in place | ${seconds(inPlaceMs)} s${updated < SAMPLE ? ` (stopped after ${updated})` : ''} | ${rate(updated, inPlaceMs)} |`,
);

await db.dropDatabase();
await connection.close();
