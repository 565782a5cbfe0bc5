/**
 * The loop of every batched erasure: asks for the next batch until one comes back empty, hands each
 * to `handle`, and answers the sum of what `handle` answers. The batch is asked for again each time,
 * so whatever `handle` erased no longer matches, and a run cut short resumes where it stopped.
 */
export async function drainInBatches<T>(
  nextBatch: () => Promise<T[]>,
  handle: (batch: T[]) => Promise<number>,
): Promise<number> {
  let handled = 0;
  for (let batch = await nextBatch(); batch.length; batch = await nextBatch()) handled += await handle(batch);
  return handled;
}
