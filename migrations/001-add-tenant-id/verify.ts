/**
 * Step 3, after the swap and before anything builds on the migrated collection: prove that the copy
 * lost no document and left none without a tenant, against the counts the survey took. A failure
 * stops here with the original untouched in its backup.
 */
import type { MigrationContext } from '../migration.js';
import type { CollectionState } from './state.js';

/**
 * Count before = count after; default-tenant documents = migrated + those that already had it; none
 * left without a tenant. One pass over the migrated collection, grouped by tenant.
 */
export async function verify(context: MigrationContext, name: string, progress: CollectionState): Promise<void> {
  const groups = context.db
    .collection(name)
    .aggregate<{ _id: string | null; n: number }>([{ $group: { _id: '$tenant_id', n: { $sum: 1 } } }]);
  let after = 0;
  let defaultTenant = 0;
  let withoutTenant = 0;
  for await (const { _id, n } of groups) {
    after += n;
    if (_id == null) withoutTenant += n;
    if (_id === context.settings.defaultTenantId) defaultTenant += n;
  }
  const expectedDefault = progress.migrated + progress.default_tenant_before;
  const problems = [
    after !== progress.count_before && `${after} documents after, ${progress.count_before} before`,
    defaultTenant !== expectedDefault &&
      `${defaultTenant} documents of tenant "${context.settings.defaultTenantId}", expected ${expectedDefault} (${progress.migrated} migrated + ${progress.default_tenant_before} already)`,
    withoutTenant !== 0 && `${withoutTenant} documents still without tenant_id`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(
      `verification of ${name} failed: ${problems.join('; ')}. The original is untouched in ${progress.backup}; "migrate down 1" restores it`,
    );
  }
}
