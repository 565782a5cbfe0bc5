/**
 * What 001 records in its migration record after every step, so that a rerun after a crash resumes
 * where it stopped and `down` knows the backups and checksums `up` left.
 */
import type { mongo } from 'mongoose';
import type { MigrationContext } from '../migration.js';

/** Where a collection is: each phase is saved once its step is done, and a rerun skips to the next. */
export type Phase = 'copying' | 'swapped' | 'verified' | 'done' | 'rolled-back';

export interface CollectionState {
  phase: Phase;
  backup: string;
  copy: string;
  count_before: number;
  /** Documents of the default tenant before the migration (a mixed database has some). */
  default_tenant_before: number;
  copied: number;
  migrated: number;
  /** The last `_id` copied (v1 ids are ObjectIds). */
  last_id?: mongo.ObjectId;
  /** The checksum's running sum over the documents copied so far (a decimal string). */
  checksum_sum: string;
  checksum?: string;
  indexes?: string[];
}

export interface State {
  stamp: string;
  migrated_at: Date;
  collections: Record<string, CollectionState>;
  counters_created?: number;
}

export function readState(context: MigrationContext): State {
  const saved = context.state as Partial<State>;
  return saved.stamp ? (saved as State) : newState();
}

/** The state goes into the migration's record after every step: a rerun resumes from it. */
export const save = (context: MigrationContext, state: State) =>
  context.save(state as unknown as Record<string, unknown>);

export function newState(): State {
  const now = new Date();
  return { stamp: now.toISOString().replace(/\D/g, '').slice(0, 14), migrated_at: now, collections: {} };
}
