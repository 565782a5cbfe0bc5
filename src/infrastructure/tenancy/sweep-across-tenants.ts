import { TenantContext } from './tenant-context.js';

export interface SweepOptions<Item extends { tenant_id: string }> {
  /** Why the search spans tenants, for the system-scope log line. */
  reason: string;
  /** The next items due, oldest first; run in the system scope (logged at debug level: it recurs). */
  findBatch: (limit: number) => Promise<Item[]>;
  /** Erases one item inside its own tenant's scope; false when it turned out not to be due. */
  eraseOne: (item: Item) => Promise<boolean>;
  batchSize?: number;
}

/**
 * The shape of every background erasure: only the search spans tenants; each deletion re-enters the
 * item's tenant, so it goes through the tenant-scoped models like any request. Batched, so a large
 * backlog never sits in memory. Answers how many items were erased.
 */
export async function sweepAcrossTenants<Item extends { tenant_id: string }>(
  options: SweepOptions<Item>,
): Promise<number> {
  const { reason, findBatch, eraseOne, batchSize = 500 } = options;
  let erased = 0;
  for (;;) {
    const batch = await TenantContext.runAsSystem(reason, () => findBatch(batchSize), 'debug');
    for (const item of batch) {
      if (await TenantContext.runForTenant(item.tenant_id, () => eraseOne(item))) erased += 1;
    }
    if (batch.length < batchSize) return erased;
  }
}
