/**
 * Step 1, before anything changes: one read of each collection, so that a migration that would fail
 * on a duplicate fails while there is still nothing to undo, and so that `verify` has the counts to
 * compare with. It also counts the default tenant's responses per form, for their counters.
 */
import type { MigrationContext } from '../migration.js';
import { type CollectionPlan, text } from './plans.js';
import { save, type State } from './state.js';

/** How many conflicting keys a duplicates report lists (each with its document ids). */
const REPORTED_CONFLICTS = 20;

export interface Survey {
  count: number;
  defaultTenant: number;
  withoutTenant: number;
  conflicts: string[];
  /** Responses only: how many each form will have in the default tenant (its counter's figure). */
  perForm: Map<string, number>;
}

/**
 * One read of each collection not yet copied, before anything changes: counts its documents (all, and
 * those of the default tenant) and finds the documents that would break a unique index once they
 * carry a tenant (two v1 users whose emails differ only in case, a v1 user and a default-tenant user
 * with one email). Any conflict stops the migration here, naming the documents. Reads only the key
 * fields; keeps only the keys in memory.
 */
export async function survey(
  context: MigrationContext,
  plans: CollectionPlan[],
  state: State,
): Promise<Map<string, Survey>> {
  const toSurvey = plans.filter((plan) => !state.collections[plan.name]);
  // Read side by side: each read keeps one core of the store busy.
  const found = await Promise.all(toSurvey.map((plan) => surveyCollection(context, plan)));
  const surveys = new Map(toSurvey.map((plan, index) => [plan.name, found[index]]));
  const conflicts = found.flatMap((collection) => collection.conflicts);
  if (conflicts.length > 0) {
    throw new Error(
      `documents would break a unique index once migrated; nothing was changed. Resolve these and rerun:\n  ${conflicts.slice(0, REPORTED_CONFLICTS).join('\n  ')}`,
    );
  }
  if (context.dryRun) return surveys;
  for (const [name, { count, defaultTenant }] of surveys) {
    state.collections[name] = {
      phase: 'copying',
      backup: `${name}_backup_${state.stamp}`,
      copy: `${name}_migrating_${state.stamp}`,
      count_before: count,
      default_tenant_before: defaultTenant,
      copied: 0,
      migrated: 0,
      checksum_sum: '0',
    };
  }
  await save(context, state);
  return surveys;
}

async function surveyCollection(context: MigrationContext, plan: CollectionPlan): Promise<Survey> {
  const fields = Object.keys(plan.indexes.find((index) => index.unique)?.key ?? { tenant_id: 1 });
  const projection = Object.fromEntries([...fields, 'tenant_id', 'dedup_key'].map((field) => [field, 1]));
  const firstSeen = new Map<string, unknown[]>();
  const found: Survey = { count: 0, defaultTenant: 0, withoutTenant: 0, conflicts: [], perForm: new Map() };
  const documents = context.db.collection(plan.name).find({}, { projection, batchSize: context.batchSize });
  const defaultTenant = context.settings.defaultTenantId;
  for await (const document of documents) {
    const tenant = (document.tenant_id as string | null | undefined) ?? null;
    found.count += 1;
    if (tenant === defaultTenant) found.defaultTenant += 1;
    if (tenant === null) found.withoutTenant += 1;
    if (plan.name === 'form_responses' && (tenant ?? defaultTenant) === defaultTenant) {
      const form = text(document.form_id);
      found.perForm.set(form, (found.perForm.get(form) ?? 0) + 1);
    }
    if (!plan.uniqueKey) continue;
    const key = plan.uniqueKey(document, tenant ?? defaultTenant);
    const ids = firstSeen.get(key);
    if (ids) ids.push(document._id);
    else firstSeen.set(key, [document._id]);
  }
  for (const [key, ids] of firstSeen) {
    if (ids.length > 1)
      found.conflicts.push(`${plan.name} (${fields.join(', ')}) "${key}": ${ids.map(text).join(', ')}`);
  }
  return found;
}
