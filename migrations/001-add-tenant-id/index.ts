/**
 * Migration 001: brings a v1 (single-tenant) database into the multi-tenant world.
 *
 * Every document of the five v1 collections without a `tenant_id` gets `DEFAULT_TENANT_ID` and
 * `migrated_at`; v1 users get `MIGRATION_V1_ROLE` and their email in the stored (lower-case) form;
 * v1 responses get the `dedup_key` the unique index needs; every migrated form gets the response
 * counter its quota reads.
 *
 * Copy and swap, chosen by measurement (docs/migrating-v1.md; `bench/migration.js`): each
 * collection is streamed once in `_id` order into `<collection>_migrating_<stamp>` with the new fields,
 * then the original is renamed to `<collection>_backup_<stamp>` (the backup: the untouched original,
 * indexes included) and the copy takes its name. One read and one insert per document on both stores,
 * where updating in place would cost a backup copy plus an update per document, and on the local store
 * a scan per batch.
 *
 * Raw driver access, because the documents have no tenant yet (the tenant plugin cannot see them),
 * backups and checksums must be byte for byte (models would cast and drop fields), and the indexes
 * are this migration's own, frozen here: the schemas will move on, a migration must not.
 *
 * The steps, one file each: `survey` (duplicates and counts, before any change), `copy-and-swap`
 * (with the backup's `checksum` taken on the way), `verify`, `response-counters`, `indexes`; and for
 * `down`, `restore`. `plans` says what each collection gets, `state` what a rerun resumes from.
 */
import type { CollectionFigures, Migration, MigrationContext, MigrationFigures } from '../migration.js';
import { checksumText } from './checksum.js';
import { collectionNames } from './collections.js';
import { copyWithTenant, swap } from './copy-and-swap.js';
import { createIndexes } from './indexes.js';
import { type CollectionPlan, PLANS } from './plans.js';
import { createResponseCounters, removeResponseCounters, responsesPerForm } from './response-counters.js';
import { refuseMissingBackups, restoreCollection } from './restore.js';
import { newState, readState, save, type State } from './state.js';
import { survey, type Survey } from './survey.js';
import { verify } from './verify.js';

const migration: Migration = {
  description: 'add tenant_id to the v1 collections (users, forms, form_versions, form_responses, files)',

  async up(context) {
    const existing = await existingPlans(context);
    if (context.dryRun) return dryRun(context, existing);
    const state = readState(context);
    const surveys = await survey(context, existing, state);
    const figures: MigrationFigures = {};
    for (const plan of existing) {
      figures[plan.name] = await migrateCollection(context, plan, state, surveys.get(plan.name));
    }
    return figures;
  },

  async down(context) {
    const state = context.state as Partial<State>;
    if (!state.collections) throw new Error('migration 001 recorded no state: there is nothing to roll back');
    const collections = Object.entries(state.collections).reverse();
    await refuseMissingBackups(context, collections);
    const figures: MigrationFigures = {};
    for (const [name] of collections) {
      figures[name] = await restoreCollection(context, name, state as State);
    }
    if (!context.dryRun) await removeResponseCounters(context);
    return figures;
  },
};
export default migration;

async function existingPlans(context: MigrationContext): Promise<CollectionPlan[]> {
  const names = await collectionNames(context);
  const state = context.state as Partial<State>;
  // A collection mid-swap has only its copy and its backup under other names: it still exists.
  return PLANS.filter((plan) => names.has(plan.name) || state.collections?.[plan.name] !== undefined);
}

async function dryRun(context: MigrationContext, plans: CollectionPlan[]): Promise<MigrationFigures> {
  const surveys = await survey(context, plans, newState());
  const figures: MigrationFigures = {};
  for (const [name, { count, withoutTenant }] of surveys) {
    figures[name] = { documents: count, would_migrate: withoutTenant, already_tenanted: count - withoutTenant };
    context.progress.start(name, count);
    context.progress.finish(name, figures[name]);
  }
  return figures;
}

/**
 * One collection through the steps of `up`. Each step ends by saving the phase it reached, so a rerun
 * after a crash skips what is done and resumes the step it was in.
 */
async function migrateCollection(
  context: MigrationContext,
  plan: CollectionPlan,
  state: State,
  surveyed: Survey | undefined,
): Promise<CollectionFigures> {
  const progress = state.collections[plan.name];
  context.progress.start(plan.name, progress.count_before);
  if (progress.phase === 'copying') {
    await copyWithTenant(context, plan, state, progress);
    await swap(context, plan.name, progress);
    progress.checksum = checksumText(progress.count_before, BigInt(progress.checksum_sum));
    progress.phase = 'swapped';
    await save(context, state);
  }
  if (progress.phase === 'swapped') {
    await verify(context, plan.name, progress);
    if (plan.name === 'form_responses') {
      const perForm = surveyed?.perForm ?? (await responsesPerForm(context));
      state.counters_created = await createResponseCounters(context, perForm);
    }
    progress.phase = 'verified';
    await save(context, state);
  }
  if (progress.phase === 'verified') {
    progress.indexes = await createIndexes(context, plan);
    progress.phase = 'done';
    await save(context, state);
  }
  const figures = {
    before: progress.count_before,
    migrated: progress.migrated,
    already_tenanted: progress.count_before - progress.migrated,
    backup: progress.backup,
    checksum: (progress.checksum ?? '').slice(0, 12),
  };
  context.progress.finish(plan.name, figures);
  return figures;
}
