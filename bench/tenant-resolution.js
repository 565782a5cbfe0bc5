// Tenant resolution time, cached and uncached, over 10,000 calls each (p50/p99 in ms).
// Usage: npm run bench (or, with stores running: npm run build && MONGO_URL=… node bench/tenant-resolution.js)
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { TenantResolver } from '../dist/modules/tenants/tenant-resolver.js';
import { Tenant, TenantSchema } from '../dist/modules/tenants/tenant.schema.js';
import { TenantsRepository } from '../dist/modules/tenants/tenants.repository.js';
import { benchDatabaseUrl, percentiles } from './support/load.js';

const CALLS = 10_000;
const url = benchDatabaseUrl('tenant_resolution');

const connection = await mongoose.createConnection(url).asPromise();
const repository = new TenantsRepository(connection.model(Tenant.name, TenantSchema));
await repository.ensureExists('bench-tenant', 'Bench tenant');
const resolver = new TenantResolver(repository);

/** The plan's target for resolving a request's tenant. */
const TARGET_MS = 2;

async function measure(label, beforeEach) {
  const samples = [];
  for (let call = 0; call < CALLS; call += 1) {
    beforeEach();
    const started = performance.now();
    await resolver.resolve('bench-tenant');
    samples.push(performance.now() - started);
  }
  console.log(`${label.padEnd(9)} ${CALLS} calls  ${percentiles(samples)}  (plan's target: < ${TARGET_MS} ms)`);
}

await measure('uncached', () => resolver.forget('bench-tenant'));
await measure('cached', () => undefined);
await connection.dropDatabase();
await connection.close();
