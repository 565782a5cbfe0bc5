/**
 * Last step per collection, once it is verified: the copy is a new collection with only the `_id`
 * index (the v1 indexes, which knew nothing of tenants, stayed with the backup), so it gets the
 * tenant-prefixed indexes of its plan. Frozen in `plans.ts`: the schemas' indexes will move on.
 */
import type { MigrationContext } from '../migration.js';
import type { CollectionPlan } from './plans.js';

/** Creates the plan's indexes on the migrated collection; answers their names. */
export async function createIndexes(context: MigrationContext, plan: CollectionPlan): Promise<string[]> {
  const collection = context.db.collection(plan.name);
  const created: string[] = [];
  for (const index of plan.indexes) {
    created.push(await collection.createIndex(index.key, { unique: index.unique ?? false }));
  }
  return created;
}
