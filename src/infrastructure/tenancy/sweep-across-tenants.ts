import { TenantContext } from './tenant-context.js';

export interface SweepOptions<Item extends { tenant_id: string }> {
  /** Why the search spans tenants, for the system-scope log line. */
  reason: string;
  /**
   * The next items due, oldest first; run in the system scope (logged at debug level: it recurs).
   * `last` is the previous batch's last item: a search whose items stay after a visit (found not due)
   * pages on from it; one whose items disappear once erased can ignore it.
   */
  findBatch: (limit: number, last: Item | null) => Promise<Item[]>;
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
  let last: Item | null = null;
  for (;;) {
    const batch = await TenantContext.runAsSystem(reason, () => findBatch(batchSize, last), 'debug');
    for (const item of batch) {
      if (await TenantContext.runForTenant(item.tenant_id, () => eraseOne(item))) erased += 1;
    }
    if (batch.length < batchSize) return erased;
    last = batch[batch.length - 1];
  }
}
