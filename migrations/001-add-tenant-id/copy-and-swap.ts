/**
 * Step 2, the migration proper: copy each collection with the new fields, then swap the copy in. Why
 * copy and swap rather than update in place: one read and one insert per document on both stores,
 * where updating in place would cost a backup copy plus an update per document, and on the local
 * store a scan per batch. The original, renamed, is the backup (its v1 indexes with it).
 */
import { mongo } from 'mongoose';
import type { MigrationContext } from '../migration.js';
import { CHECKSUM_MODULUS, documentHash } from './checksum.js';
import { collectionNames, insertIgnoringDuplicates } from './collections.js';
import type { CollectionPlan } from './plans.js';
import { type CollectionState, save, type State } from './state.js';

type Document = mongo.Document;

/**
 * Streams the collection in `_id` order into the copy, a batch at a time, and adds each document's
 * bytes to the checksum on the way (the original becomes the backup unchanged, so this is the backup's
 * checksum). After each batch it saves where it got to and the checksum so far: a rerun resumes after
 * the last saved `_id`. A batch inserted but not yet saved is inserted again and its documents are
 * refused as duplicates, so nothing is copied twice. The next batch is read while one is written.
 */
export async function copyWithTenant(
  context: MigrationContext,
  plan: CollectionPlan,
  state: State,
  progress: CollectionState,
): Promise<void> {
  const copy = context.db.collection(progress.copy);
  const filter: mongo.Filter<Document> = progress.last_id === undefined ? {} : { _id: { $gt: progress.last_id } };
  const cursor = context.db
    .collection(plan.name)
    .find(filter, { sort: { _id: 1 }, batchSize: context.batchSize, raw: true });
  let batch: Document[] = [];
  let migrated = 0;
  let sum = BigInt(progress.checksum_sum);
  let writing: Promise<void> = Promise.resolve();
  const flush = async (documents: Document[], migratedInBatch: number, sumAfter: bigint) => {
    await insertIgnoringDuplicates(copy, documents);
    progress.copied += documents.length;
    progress.migrated += migratedInBatch;
    progress.last_id = documents[documents.length - 1]._id as mongo.ObjectId;
    progress.checksum_sum = sumAfter.toString();
    await save(context, state);
    await context.progress.advance(plan.name, progress.copied);
  };
  for await (const bytes of cursor) {
    sum = (sum + documentHash(bytes as unknown as Uint8Array)) % CHECKSUM_MODULUS;
    // Values keep their BSON types (an Int64 stays one, a double 1.0 stays a double).
    const document = mongo.BSON.deserialize(bytes as unknown as Uint8Array, { promoteValues: false, bsonRegExp: true });
    if (document.tenant_id == null) {
      document.tenant_id = context.settings.defaultTenantId;
      document.migrated_at = state.migrated_at;
      plan.upgrade?.(document, context);
      migrated += 1;
    }
    batch.push(document);
    if (batch.length >= context.batchSize) {
      await writing;
      writing = flush(batch, migrated, sum);
      // Awaited before the next batch is written; until then its failure must not count as unhandled.
      writing.catch(() => undefined);
      batch = [];
      migrated = 0;
    }
  }
  await writing;
  if (batch.length > 0) await flush(batch, migrated, sum);
}

/**
 * The original becomes the backup and the copy takes its name. Each rename is one atomic step; a rerun
 * after a crash between them finds the backup already there and finishes the second.
 */
export async function swap(context: MigrationContext, name: string, progress: CollectionState): Promise<void> {
  const names = await collectionNames(context);
  // An empty v1 collection leaves no copy behind (nothing was inserted): the copy is an empty collection.
  if (!names.has(progress.copy) && !names.has(progress.backup)) {
    await context.db.createCollection(progress.copy);
    names.add(progress.copy);
  }
  if (names.has(name) && !names.has(progress.backup)) await context.db.renameCollection(name, progress.backup);
  if (names.has(progress.copy)) await context.db.renameCollection(progress.copy, name);
}
