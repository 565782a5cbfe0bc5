/**
 * `down`: puts each v1 original back from its backup and proves it byte for byte with the checksum
 * `up` recorded. Nothing is dropped but an interrupted copy: the migrated collection is set aside, since
 * documents written after the migration are only there.
 */
import type { CollectionFigures, MigrationContext } from '../migration.js';
import { checksum } from './checksum.js';
import { collectionNames } from './collections.js';
import { type CollectionState, readState, save, type State } from './state.js';

/** Refuses before any change when a backup `up` recorded is gone (unless a rollback already moved it). */
export async function refuseMissingBackups(
  context: MigrationContext,
  collections: [string, CollectionState][],
): Promise<void> {
  const names = await collectionNames(context);
  const stamp = readState(context).stamp;
  const missing = collections
    .filter(([, collection]) => collection.phase !== 'rolled-back' && !names.has(collection.backup))
    // Already restored by an interrupted rollback, or never renamed away by an interrupted copy.
    .filter(([name]) => !names.has(setAsideName(name, stamp)))
    .filter(([name, collection]) => !(collection.phase === 'copying' && names.has(name)))
    .map(([, collection]) => collection.backup);
  if (missing.length > 0) {
    throw new Error(`cannot roll back: backup ${missing.join(', ')} missing; nothing was changed`);
  }
}

const setAsideName = (name: string, stamp: string) => `${name}_rolledback_${stamp}`;

/**
 * Puts the backup back under the collection's name and proves it byte for byte against the checksum
 * taken at `up`. The migrated collection is kept as `<collection>_rolledback_<stamp>` (with the
 * indexes 001 created): documents written after the migration are in it, for the operator to decide.
 * Every step checks what is there first, so a rollback interrupted anywhere finishes on a rerun.
 */
export async function restoreCollection(
  context: MigrationContext,
  name: string,
  state: State,
): Promise<CollectionFigures> {
  const collection = state.collections[name];
  const setAside = setAsideName(name, state.stamp);
  context.progress.start(name, collection.count_before);
  const figures = { restored: collection.count_before, from: collection.backup, set_aside: setAside };
  if (collection.phase === 'rolled-back' || context.dryRun) {
    context.progress.finish(name, figures);
    return figures;
  }
  const names = await collectionNames(context);
  if (names.has(collection.backup)) {
    if (names.has(name)) await context.db.renameCollection(name, setAside);
    await context.db.renameCollection(collection.backup, name);
  }
  // What an interrupted copy left.
  if (names.has(collection.copy)) await context.db.dropCollection(collection.copy);
  if (collection.checksum && (await checksum(context, name)) !== collection.checksum) {
    throw new Error(`${name} was restored from ${collection.backup} but its checksum differs from the one taken at up`);
  }
  collection.phase = 'rolled-back';
  await save(context, state);
  await context.progress.advance(name, collection.count_before);
  context.progress.finish(name, figures);
  return figures;
}
