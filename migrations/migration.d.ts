/**
 * What a migration file exports and what the runner (`src/infrastructure/migrations/`) hands it.
 *
 * A declaration file on purpose: `src/` compiles to `dist/` and this folder to `dist/migrations/` as
 * two separate builds, and a type-only `.d.ts` is the one kind of file both can share.
 */
import type { mongo } from 'mongoose';

/** Figures a migration reports per collection; shown in the summary table and kept in `migrations`. */
export type CollectionFigures = Record<string, number | string>;

export interface MigrationProgress {
  /** A collection's work begins: `total` documents to go through. */
  start(collection: string, total: number): void;
  /** After every batch: moves the bar (or prints a JSON line); may throw (the runner's lock check, a test's fault hook). */
  advance(collection: string, done: number): Promise<void>;
  /** A collection is done; its figures join the summary table. */
  finish(collection: string, figures: CollectionFigures): void;
}

export interface MigrationContext {
  /**
   * The database through the driver. Migrations move documents the tenant plugin cannot reach (they
   * have no tenant yet) and copy them byte for byte, which models would not; each says why it needs it.
   */
  readonly db: mongo.Db;
  /** Count what would change and write nothing. */
  readonly dryRun: boolean;
  /** Documents per read and write. */
  readonly batchSize: number;
  readonly settings: {
    readonly defaultTenantId: string;
    /** The role v1 users get (they had none). */
    readonly v1Role: string;
    /** Where earlier releases kept file bytes on local disk (`FILE_STORAGE_DIR`); read by 002 only. */
    readonly fileStorageDir: string;
  };
  /**
   * What this migration saved with `save`, kept across runs and directions: where an interrupted run
   * stopped, and for `down` what `up` recorded (backups, checksums). Empty on a first run.
   */
  readonly state: Record<string, unknown>;
  /** Keeps `state` in the migration's record, so that a rerun after a crash resumes from it. */
  save(state: Record<string, unknown>): Promise<void>;
  readonly progress: MigrationProgress;
  /** One structured log line (the CLI prints them as JSON when not on a terminal). */
  log(fields: { msg: string } & Record<string, unknown>): void;
}

/** A migration's outcome: figures per collection. */
export type MigrationFigures = Record<string, CollectionFigures>;

/**
 * One numbered file in `migrations/` (`003-wrap-legacy-password-hashes.ts`), or the `index.ts` of a
 * numbered folder of steps (`001-add-tenant-id/`), default-exports one of these. Both
 * directions must be resumable (rerun after a crash finishes the job) and idempotent.
 */
export interface Migration {
  readonly description: string;
  up(context: MigrationContext): Promise<MigrationFigures>;
  down(context: MigrationContext): Promise<MigrationFigures>;
}
