/**
 * Two driver helpers more than one step needs. Kept here rather than shared with the runner in `src/`:
 * a migration imports nothing from `src/` (it compiles on its own and is frozen once released).
 */
import type { mongo } from 'mongoose';
import type { MigrationContext } from '../migration.js';

export async function collectionNames(context: MigrationContext): Promise<Set<string>> {
  return new Set((await context.db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name));
}

/** Inserts the documents, skipping those whose `_id` is there already; answers how many were new. */
export async function insertIgnoringDuplicates(
  collection: mongo.Collection,
  documents: mongo.Document[],
): Promise<number> {
  try {
    return (await collection.insertMany(documents, { ordered: false })).insertedCount;
  } catch (error) {
    const { writeErrors, insertedCount } = error as mongo.MongoBulkWriteError;
    const errors = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (errors.length === 0 || errors.some((writeError) => writeError.code !== 11000)) throw error;
    return insertedCount;
  }
}
