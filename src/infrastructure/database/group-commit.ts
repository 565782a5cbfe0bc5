interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted under one key while that key's previous write is in flight are
 * written together by the next one. A lone item is written at once; under load, one store round trip
 * serves many requests. Per key, writes never overlap, so they are also serialized (see `KeyedMutex`).
 *
 * `lingerMs` makes a batch wait that long for company before it is written: for work nobody waits
 * on (clean-up after the answer), where fewer, larger writes matter more than promptness.
 *
 * `write` answers one outcome per item, in order: its result, or an `Error` for that item alone.
 */
export class GroupCommit<Item, Result> {
  private readonly queues = new Map<string, Pending<Item, Result>[]>();
  private readonly writing = new Set<string>();

  constructor(
    private readonly write: (key: string, items: Item[]) => Promise<(Result | Error)[]>,
    private readonly maxBatch = 500,
    private readonly lingerMs = 0,
  ) {}

  submit(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ item, resolve, reject });
      this.queues.set(key, queue);
      // Not awaited: the item's own promise answers. `drain` never rejects: every outcome, errors
      // included, goes to the item's submitter.
      if (!this.writing.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.writing.add(key);
    try {
      for (let queue = this.queues.get(key); queue?.length; queue = this.queues.get(key)) {
        if (this.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
        const batch = queue.splice(0, this.maxBatch);
        if (queue.length === 0) this.queues.delete(key);
        await this.writeBatch(key, batch);
      }
    } finally {
      this.writing.delete(key);
    }
  }

  private async writeBatch(key: string, batch: Pending<Item, Result>[]): Promise<void> {
    try {
      const outcomes = await this.write(
        key,
        batch.map((pending) => pending.item),
      );
      batch.forEach((pending, index) => {
        const outcome = outcomes[index];
        if (outcome instanceof Error) pending.reject(outcome);
        else pending.resolve(outcome as Result);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
