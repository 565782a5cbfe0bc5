// Tenant resolution time, cached and uncached, over 10,000 calls each (p50/p99 in ms).
// Usage: npm run build && MONGO_URL=mongodb://127.0.0.1:27017/bench node bench/tenant-resolution.js
import 'reflect-metadata';
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import { TenantResolver } from '../dist/modules/tenants/tenant-resolver.service.js';
import { Tenant, TenantSchema } from '../dist/modules/tenants/tenant.schema.js';
import { TenantsRepository } from '../dist/modules/tenants/tenants.repository.js';

const CALLS = 10_000;
const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/bench_tenant_resolution';

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(4);
  return `p50 ${at(50)} ms  p99 ${at(99)} ms  max ${sorted.at(-1).toFixed(4)} ms`;
}

const connection = await mongoose.createConnection(url).asPromise();
const repository = new TenantsRepository(connection.model(Tenant.name, TenantSchema));
await repository.ensureExists('bench-tenant', 'Bench tenant');
const resolver = new TenantResolver(repository);

async function measure(label, beforeEach) {
  const samples = [];
  for (let call = 0; call < CALLS; call += 1) {
    beforeEach();
    const started = performance.now();
    await resolver.resolve('bench-tenant');
    samples.push(performance.now() - started);
  }
  console.log(`${label.padEnd(9)} ${CALLS} calls  ${percentiles(samples)}`);
}

await measure('uncached', () => resolver.forget('bench-tenant'));
await measure('cached', () => undefined);
await connection.dropDatabase();
await connection.close();
