/**
 * Runs async work one at a time per key, within this process.
 *
 * Why: the local store (FerretDB on SQLite) applies an update as read, modify, write back, without
 * isolation: concurrent `$inc`s on one document lose increments and a conditional update can act on a
 * stale read. Serializing writes to the same document in-process makes them exact for one API process
 * there; MongoDB makes each update atomic on its own, for any number of processes.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Housekeeping only: `tail` never rejects (the work's error reaches the caller through `result`).
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
