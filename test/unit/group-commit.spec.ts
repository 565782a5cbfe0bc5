import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from '../../src/infrastructure/database/group-commit.js';

describe('GroupCommit', () => {
  it('writes a lone item at once and batches what arrives while a write is in flight, per key', async () => {
    const writes: [string, number[]][] = [];
    const commit = new GroupCommit<number, number>(async (key, items) => {
      writes.push([key, items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((item) => item * 10);
    });
    const results = await Promise.all(
      [1, 2, 3, 4].map((item) => commit.submit('a', item)).concat(commit.submit('b', 5)),
    );
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(writes).toEqual([
      ['a', [1]],
      ['b', [5]],
      ['a', [2, 3, 4]],
    ]);
  });

  it('fails only the items the write reports, and every item when the write throws', async () => {
    const commit = new GroupCommit<number, string>(async (_key, items) => {
      if (items.includes(0)) throw new Error('store down');
      return items.map((item) => (item < 0 ? new Error(`bad ${item}`) : `ok ${item}`));
    });
    const mixed = await Promise.allSettled([commit.submit('k', 1), commit.submit('k', -1), commit.submit('k', 2)]);
    expect(mixed.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : String(outcome.reason)))).toEqual([
      'ok 1',
      'Error: bad -1',
      'ok 2',
    ]);
    await expect(commit.submit('k', 0)).rejects.toThrow('store down');
    await expect(commit.submit('k', 3)).resolves.toBe('ok 3');
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const commit = new GroupCommit<number, number>(async (_key, items) => {
      sizes.push(items.length);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5, 6].map((item) => commit.submit('k', item)));
    expect(sizes).toEqual([1, 2, 2, 1]);
  });

  it('with lingerMs, waits that long for company before writing, every batch', async () => {
    const writes: { at: number; items: number[] }[] = [];
    const start = Date.now();
    const commit = new GroupCommit<number, number>(
      async (_key, items) => {
        writes.push({ at: Date.now() - start, items });
        return items;
      },
      500,
      40,
    );
    const first = commit.submit('k', 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all([first, commit.submit('k', 2)]);
    await commit.submit('k', 3);
    expect(writes.map((write) => write.items)).toEqual([[1, 2], [3]]);
    expect(writes[0].at).toBeGreaterThanOrEqual(35);
    expect(writes[1].at - writes[0].at).toBeGreaterThanOrEqual(35);
  });
});
