// Erasing a deleted form: seeds one form with BENCH_ERASURE_RESPONSES responses (default 2,000: on the
// local store a 10,000-response run was stopped after 9 minutes; against MongoDB set 10000) and their
// `response.submitted` events (as submissions leave them), deletes the form, then times the erasure
// job's work (responses erased and their events redacted in batches of ERASURE_BATCH_SIZE, then the
// form's exports, uploads, versions and document) and prints responses per second.
// Usage: npm run bench (or, with stores running: npm run build && MONGO_URL=… REDIS_URL=… node bench/form-erasure.js)
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { TenantContext } from '../dist/infrastructure/tenancy/tenant-context.js';
import { ErasureModule } from '../dist/modules/erasure/erasure.module.js';
import { ErasureService } from '../dist/modules/erasure/erasure.service.js';
import { StoredEvent } from '../dist/modules/events/event.schema.js';
import { Form } from '../dist/modules/forms/form.schema.js';
import { FormsService } from '../dist/modules/forms/forms.service.js';
import { FormResponse } from '../dist/modules/responses/response.schema.js';
import { benchContext } from './support/nest-context.js';

const RESPONSES = Number(process.env.BENCH_ERASURE_RESPONSES ?? 2_000);
const SEED_BATCH = 1_000;

const app = await benchContext('form_erasure', ErasureModule);
await app.get(getConnectionToken()).dropDatabase();
const model = (schema) => app.get(getModelToken(schema.name));
const seconds = (ms) => (ms / 1000).toFixed(1);

await TenantContext.runForTenant('bench', async () => {
  const formId = new Types.ObjectId();
  await model(Form).create({ _id: formId, title: 'Bench', slug: 'bench', owner_id: 'bench', status: 'published' });
  const seeding = performance.now();
  for (let seeded = 0; seeded < RESPONSES; seeded += SEED_BATCH) {
    const count = Math.min(SEED_BATCH, RESPONSES - seeded);
    const responses = Array.from({ length: count }, () => {
      const _id = new Types.ObjectId();
      const data = { email: 'visitor@example.com', message: randomBytes(32).toString('hex') };
      return { _id, form_id: formId, form_version: 1, data, dedup_key: `id:${_id.toHexString()}` };
    });
    await model(FormResponse).insertMany(responses, { lean: true });
    await model(StoredEvent).insertMany(
      responses.map((response) => ({
        _id: randomUUID(),
        event_type: 'response.submitted',
        timestamp: new Date(),
        user_id: null,
        entity_id: response._id.toHexString(),
        payload: { response_id: response._id.toHexString(), form_id: formId.toHexString(), data: response.data },
        metadata: { source: 'api' },
      })),
      { lean: true },
    );
  }
  console.log(
    `seeded ${RESPONSES.toLocaleString('en')} responses and events in ${seconds(performance.now() - seeding)} s`,
  );

  await app.get(FormsService).delete(formId);
  const started = performance.now();
  const outcome = await app.get(ErasureService).eraseForm(formId);
  const elapsed = performance.now() - started;
  const left = await model(FormResponse).countDocuments({ form_id: formId });
  const unredacted = await model(StoredEvent).countDocuments({ 'payload.data': { $exists: true } });
  console.log(`| erasing a deleted form with ${RESPONSES.toLocaleString('en')} responses | total | responses/s |`);
  console.log('|---|---|---|');
  console.log(
    `| responses erased, events redacted, form removed | ${seconds(elapsed)} s | ${Math.round(outcome.responses / (elapsed / 1000)).toLocaleString('en')} |`,
  );
  console.log(`left behind: ${left} responses, ${unredacted} events with data`);
});
await app.close();
