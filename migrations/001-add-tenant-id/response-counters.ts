/**
 * Once `form_responses` is verified: every migrated form gets the counter its response quota reads
 * (v1 had no quota, so no counters). `down` removes the counters 001 created, and only those.
 */
import type { mongo } from 'mongoose';
import type { MigrationContext } from '../migration.js';
import { insertIgnoringDuplicates } from './collections.js';
import { text } from './plans.js';

/**
 * The default tenant's responses per form, read from the migrated collection: only a run resumed after
 * the survey needs it (the survey counted them otherwise). Counted here rather than grouped by the
 * store: the local store groups by many keys very slowly.
 */
export async function responsesPerForm(context: MigrationContext): Promise<Map<string, number>> {
  const perForm = new Map<string, number>();
  const responses = context.db
    .collection('form_responses')
    .find(
      { tenant_id: context.settings.defaultTenantId },
      { projection: { form_id: 1 }, batchSize: context.batchSize },
    );
  for await (const { form_id } of responses) perForm.set(text(form_id), (perForm.get(text(form_id)) ?? 0) + 1);
  return perForm;
}

/**
 * Every migrated form gets the counter its response quota reads, holding its v1 responses. Inserted,
 * and a counter that exists already is kept (refused as a duplicate): on the local store an upsert
 * looks its key up by scanning the collection.
 */
export async function createResponseCounters(
  context: MigrationContext,
  responsesPerForm: Map<string, number>,
): Promise<number> {
  const tenantId = context.settings.defaultTenantId;
  const counters = context.db.collection('form_counters');
  let created = 0;
  let batch: mongo.Document[] = [];
  const flush = async () => {
    if (batch.length > 0) created += await insertIgnoringDuplicates(counters, batch);
    batch = [];
  };
  const forms = context.db
    .collection('forms')
    .find(
      { tenant_id: tenantId, migrated_at: { $exists: true } },
      { projection: { _id: 1 }, batchSize: context.batchSize },
    );
  for await (const { _id } of forms) {
    batch.push({ _id, tenant_id: tenantId, responses: responsesPerForm.get(text(_id)) ?? 0, migrated_by: '001' });
    if (batch.length >= context.batchSize) await flush();
  }
  await flush();
  context.log({ msg: 'created the response counters of the migrated forms', created });
  return created;
}

/** `down`: the counters 001 created go (they are marked `migrated_by: '001'`); any other counter stays. */
export async function removeResponseCounters(context: MigrationContext): Promise<void> {
  const { deletedCount } = await context.db.collection('form_counters').deleteMany({ migrated_by: '001' });
  context.log({ msg: 'removed the response counters 001 created', deleted: deletedCount });
}
