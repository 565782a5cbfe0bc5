import { describe, expect, it } from '@jest/globals';
import { sweepAcrossTenants } from '../../src/infrastructure/tenancy/sweep-across-tenants.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';

describe('sweepAcrossTenants', () => {
  it('searches in the system scope, erases each item in its own tenant, batch after batch', async () => {
    const due = [
      { tenant_id: 'acme', id: 1 },
      { tenant_id: 'globex', id: 2 },
      { tenant_id: 'acme', id: 3 },
    ];
    const searchedAsSystem: boolean[] = [];
    const erasedIn: string[] = [];
    const erased = await sweepAcrossTenants({
      reason: 'test sweep',
      batchSize: 2,
      findBatch: async (limit) => {
        searchedAsSystem.push(TenantContext.isSystemScope());
        return due.splice(0, limit);
      },
      eraseOne: async (item) => {
        erasedIn.push(`${TenantContext.tenantId()}:${item.id}`);
        return item.id !== 2;
      },
    });
    // A full batch, then a short one that ends the sweep; item 2 turned out not to be due.
    expect(searchedAsSystem).toEqual([true, true]);
    expect(erasedIn).toEqual(['acme:1', 'globex:2', 'acme:3']);
    expect(erased).toBe(2);
  });

  it('hands each search the previous batch last item, so items that stay can be paged past', async () => {
    const items = [1, 2, 3, 4, 5].map((id) => ({ tenant_id: 'acme', id }));
    const asked: (number | null)[] = [];
    const erased = await sweepAcrossTenants<{ tenant_id: string; id: number }>({
      reason: 'test sweep',
      batchSize: 2,
      findBatch: async (limit, last) => {
        asked.push(last?.id ?? null);
        return items.filter((item) => item.id > (last?.id ?? 0)).slice(0, limit);
      },
      eraseOne: async () => false,
    });
    expect(asked).toEqual([null, 2, 4]);
    expect(erased).toBe(0);
  });
});
