import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { MigrationContext } from '../../../migrations/migration.js';
import { AppConfigService } from '../config/app-config.service.js';
import { MaintenanceMode } from '../maintenance/maintenance-mode.js';
import { TenantContext } from '../tenancy/tenant-context.js';
import { findMigrationFiles, type MigrationFile } from './migration-files.js';
import { MigrationLock } from './migration-lock.js';
import { MigrationProgressReporter, type ProgressStream } from './migration-progress-reporter.js';
import { type MigrationRecord, MigrationRecords, type MigrationStatus } from './migration-records.js';

export interface MigrationRunOptions {
  /** Count what would change and write nothing: no lock, no record, no document. */
  dryRun?: boolean;
  /** Take over a lock whose holder stopped beating for longer than the stale age. */
  force?: boolean;
  /** Where progress goes: bars on a terminal, JSON lines otherwise. */
  output?: ProgressStream;
  /** Runs after every batch; tests crash a run here to prove it resumes. */
  afterBatch?: () => void | Promise<void>;
}

export interface MigrationStatusRow {
  number: number;
  name: string;
  status: MigrationStatus | 'pending';
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  error: string | null;
  /** When `migrate finalize` dropped what its rollback needed: it can no longer be rolled back. */
  finalized_at: Date | null;
}

export interface MigrationRunResult {
  /** The migrations this run went through, in order (`001-add-tenant-id`). */
  ran: string[];
  /** One row per collection a migration touched, with its figures. */
  summary: Record<string, string | number>[];
}

type Direction = 'up' | 'down';

export class MigrationRequestError extends Error {}

/**
 * Runs the numbered migrations of `migrations/` against this database: `up` applies the pending ones
 * in order (up to `to`), `down n` rolls back every applied one from the newest down to `n`. Each run is
 * recorded in `migrations` (status, times, figures, the state a crashed run resumes from) under a lock
 * that keeps a second runner out. Migrations run in the system scope: they span every tenant.
 */
@Injectable()
export class MigrationRunner {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: AppConfigService,
    private readonly maintenance: MaintenanceMode,
  ) {}

  async status(): Promise<MigrationStatusRow[]> {
    const [files, records] = await Promise.all([findMigrationFiles(), this.records().all()]);
    return files.map(({ number, name }) => {
      const record = records.find((candidate) => candidate._id === number);
      return {
        number,
        name,
        status: record?.status ?? 'pending',
        started_at: record?.started_at ?? null,
        finished_at: record?.finished_at ?? null,
        duration_ms: record?.duration_ms ?? null,
        error: record?.error ?? null,
        finalized_at: record?.finalized_at ?? null,
      };
    });
  }

  async up(options: MigrationRunOptions & { to?: number } = {}): Promise<MigrationRunResult> {
    const files = await findMigrationFiles();
    if (options.to !== undefined) this.assertKnown(files, options.to);
    const records = await this.records().all();
    const pending = files.filter(
      (file) => file.number <= (options.to ?? Infinity) && recordOf(records, file)?.status !== 'applied',
    );
    const halfRolledBack = pending.find((file) => recordOf(records, file)?.status === 'rolling-back');
    if (halfRolledBack) {
      throw new MigrationRequestError(
        `migration ${halfRolledBack.number} stopped while being rolled back: finish that first with "migrate down ${halfRolledBack.number}"`,
      );
    }
    return this.run('up', pending, records, options);
  }

  async down(target: number, options: MigrationRunOptions = {}): Promise<MigrationRunResult> {
    const files = await findMigrationFiles();
    this.assertKnown(files, target);
    const records = await this.records().all();
    const applied = files
      .filter((file) => file.number >= target)
      .filter((file) => ['applied', 'applying', 'rolling-back'].includes(recordOf(records, file)?.status ?? ''))
      .reverse();
    const finalized = applied.find((file) => recordOf(records, file)?.finalized_at);
    if (finalized) {
      throw new MigrationRequestError(
        `migration ${finalized.number} was finalized on ${recordOf(records, finalized)?.finalized_at?.toISOString()}: what its rollback needed is gone, so nothing was rolled back`,
      );
    }
    return this.run('down', applied, records, options);
  }

  private async run(
    direction: Direction,
    files: MigrationFile[],
    records: MigrationRecord[],
    options: MigrationRunOptions,
  ): Promise<MigrationRunResult> {
    const result: MigrationRunResult = { ran: [], summary: [] };
    if (files.length === 0) return result;
    const lock = options.dryRun ? undefined : new MigrationLock(this.db(), this.config.migrations.lockStaleMs);
    await lock?.acquire(options.force ?? false);
    try {
      for (const file of files) {
        const label = `${String(file.number).padStart(3, '0')}-${file.name}`;
        const summary = await this.runOne(direction, file, label, recordOf(records, file), options, lock);
        result.ran.push(label);
        result.summary.push(...summary);
      }
      return result;
    } finally {
      await lock?.release();
    }
  }

  private async runOne(
    direction: Direction,
    file: MigrationFile,
    label: string,
    record: MigrationRecord | undefined,
    options: MigrationRunOptions,
    lock: MigrationLock | undefined,
  ): Promise<Record<string, string | number>[]> {
    const migration = await file.load();
    const dryRun = options.dryRun ?? false;
    const progress = new MigrationProgressReporter(label, options.output ?? process.stdout, async () => {
      lock?.assertHeld();
      await options.afterBatch?.();
    });
    const fresh = direction === 'up' && record?.status === 'rolled-back';
    if (!dryRun) {
      await this.records().begin(file.number, file.name, direction === 'up' ? 'applying' : 'rolling-back', fresh);
      if (!this.maintenance.current.on) {
        progress.log({
          msg: 'maintenance mode is off: the API and workers may write while this runs (cli maintenance on)',
        });
      }
    }
    const context: MigrationContext = {
      db: this.db(),
      dryRun,
      batchSize: this.config.migrations.batchSize,
      settings: {
        defaultTenantId: this.config.tenancy.defaultTenantId,
        v1Role: this.config.migrations.v1Role,
        fileStorageDir: this.config.files.legacyStorageDir,
      },
      state: fresh ? {} : (record?.state ?? {}),
      save: async (state) => {
        if (!dryRun) await this.records().saveState(file.number, state);
      },
      progress,
      log: (fields) => progress.log(fields),
    };
    try {
      progress.log({ msg: `${dryRun ? 'dry run: ' : ''}${direction} ${label}: ${migration.description}` });
      const figures = await TenantContext.runAsSystem(`migration ${label} ${direction}`, () =>
        migration[direction](context),
      );
      if (!dryRun) await this.records().finish(file.number, direction === 'up' ? 'applied' : 'rolled-back', figures);
      return [...progress.summary];
    } catch (error) {
      if (!dryRun) await this.records().fail(file.number, error as Error);
      throw error;
    } finally {
      progress.close();
    }
  }

  private assertKnown(files: MigrationFile[], number: number): void {
    if (!files.some((file) => file.number === number)) {
      throw new MigrationRequestError(
        `there is no migration ${number}; known: ${files.map((file) => file.number).join(', ') || 'none'}`,
      );
    }
  }

  private records(): MigrationRecords {
    return new MigrationRecords(this.db());
  }

  /** The driver's database: migrations and their bookkeeping work below the tenant plugin. */
  private db(): mongo.Db {
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    return db;
  }
}

const recordOf = (records: MigrationRecord[], file: MigrationFile) =>
  records.find((record) => record._id === file.number);
