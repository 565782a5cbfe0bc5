import type { mongo } from 'mongoose';
import type { MigrationFigures } from '../../../migrations/migration.js';

export type MigrationStatus = 'applying' | 'applied' | 'rolling-back' | 'rolled-back';

/** One document per migration in `migrations`, keyed by its number. */
export interface MigrationRecord {
  _id: number;
  name: string;
  status: MigrationStatus;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  figures?: MigrationFigures;
  /** What the migration saved to resume after a crash, and what `down` needs (backups, checksums). */
  state?: Record<string, unknown>;
  /** The last failure, kept until a rerun finishes. */
  error: string | null;
  /** Set by `migrate finalize N`: what the migration kept for `down` is gone, so it cannot be rolled back. */
  finalized_at?: Date;
  /** The collections `finalize` dropped. */
  finalized?: string[];
}

/** The `migrations` collection: what ran, when, with which figures, and where an interrupted run stopped. */
export class MigrationRecords {
  constructor(private readonly db: mongo.Db) {}

  all(): Promise<MigrationRecord[]> {
    return this.documents().find({}).sort({ _id: 1 }).toArray();
  }

  find(number: number): Promise<MigrationRecord | null> {
    return this.documents().findOne({ _id: number });
  }

  /**
   * A run begins. A resumed run (same direction, interrupted) keeps its saved state; an `up` after a
   * rollback starts from a clean one; `down` keeps what `up` saved (backups, checksums).
   */
  async begin(number: number, name: string, status: 'applying' | 'rolling-back', freshState: boolean): Promise<void> {
    await this.documents().updateOne(
      { _id: number },
      {
        $set: {
          name,
          status,
          started_at: new Date(),
          finished_at: null,
          duration_ms: null,
          error: null,
          ...(freshState ? { state: {}, figures: {} } : {}),
        },
      },
      { upsert: true },
    );
  }

  async saveState(number: number, state: Record<string, unknown>): Promise<void> {
    await this.documents().updateOne({ _id: number }, { $set: { state } });
  }

  async finish(number: number, status: 'applied' | 'rolled-back', figures: MigrationFigures): Promise<void> {
    const record = await this.find(number);
    const finishedAt = new Date();
    // The time of this attempt: a run resumed after a crash counts from its own start.
    await this.documents().updateOne(
      { _id: number },
      {
        $set: {
          status,
          figures,
          finished_at: finishedAt,
          duration_ms: record ? finishedAt.getTime() - record.started_at.getTime() : null,
        },
      },
    );
  }

  async markFinalized(number: number, dropped: string[]): Promise<void> {
    const before = (await this.find(number))?.finalized ?? [];
    const finalized = [...new Set([...before, ...dropped])];
    await this.documents().updateOne({ _id: number }, { $set: { finalized_at: new Date(), finalized } });
  }

  async fail(number: number, error: Error): Promise<void> {
    await this.documents().updateOne({ _id: number }, { $set: { error: error.message } });
  }

  private documents() {
    return this.db.collection<MigrationRecord>('migrations');
  }
}
