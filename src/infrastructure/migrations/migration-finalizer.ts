import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { AppConfigService } from '../config/app-config.service.js';
import { findMigrationFiles } from './migration-files.js';
import { MigrationLock } from './migration-lock.js';
import { MigrationRecords } from './migration-records.js';
import { MigrationRequestError } from './migration-runner.js';
import { type V1Leftover, V1BackupsService } from './v1-backups.service.js';

/** What `finalize` would drop, for the operator to confirm. */
export interface FinalizePlan {
  migration: string;
  leftovers: V1Leftover[];
}

/** The migrations that keep something for their `down`, and what: only 001 keeps collections. */
const KEEPS_COLLECTIONS = new Set([1]);

/**
 * `migrate finalize N`: the operator is done with migration N and will never roll it back, so what it
 * kept for `down` goes. For 001 that is every `*_backup_<stamp>` (the v1 originals, v1 responses and
 * password hashes included), `*_rolledback_<stamp>` and `*_migrating_<stamp>` collection. Only an
 * applied migration is finalized, under the migration lock; its record then says so (`finalized_at`),
 * and `down` refuses it instead of failing half-way. The CLI asks the operator first (`--yes` skips).
 */
@Injectable()
export class MigrationFinalizer {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: AppConfigService,
    private readonly backups: V1BackupsService,
  ) {}

  /** What finalizing would drop; refuses a migration that is unknown, not applied, or keeps nothing. */
  async plan(number: number): Promise<FinalizePlan> {
    const file = (await findMigrationFiles()).find((candidate) => candidate.number === number);
    if (!file) throw new MigrationRequestError(`there is no migration ${number}`);
    const label = `${String(number).padStart(3, '0')}-${file.name}`;
    if (!KEEPS_COLLECTIONS.has(number)) {
      throw new MigrationRequestError(
        `migration ${label} keeps nothing for its rollback: there is nothing to finalize`,
      );
    }
    const record = await this.records().find(number);
    if (record?.status !== 'applied') {
      throw new MigrationRequestError(
        `migration ${label} is ${record?.status ?? 'pending'}: only an applied migration is finalized`,
      );
    }
    return { migration: label, leftovers: await this.backups.list() };
  }

  /** Drops what `plan` listed (and the operator confirmed), under the migration lock; answers what went. */
  async finalize(number: number, confirmed: FinalizePlan, options: { force?: boolean } = {}): Promise<string[]> {
    const lock = new MigrationLock(this.db(), this.config.migrations.lockStaleMs);
    await lock.acquire(options.force ?? false);
    try {
      await this.plan(number);
      const dropped = await this.backups.drop(confirmed.leftovers.map((leftover) => leftover.name));
      await this.records().markFinalized(number, dropped);
      return dropped;
    } finally {
      await lock.release();
    }
  }

  private records(): MigrationRecords {
    return new MigrationRecords(this.db());
  }

  private db(): mongo.Db {
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    return db;
  }
}
