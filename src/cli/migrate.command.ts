import { Console } from 'node:console';
import { createInterface } from 'node:readline';
import { Command, CommandRunner, Option } from 'nest-commander';
import { type FinalizePlan, MigrationFinalizer } from '../infrastructure/migrations/migration-finalizer.js';
import { MigrationRunner, type MigrationRunResult } from '../infrastructure/migrations/migration-runner.js';

interface MigrateOptions {
  to?: number;
  dryRun?: boolean;
  force?: boolean;
  yes?: boolean;
}

const USAGE =
  'usage: migrate status | up [--to N] [--dry-run] [--force] | down N [--dry-run] [--force] | finalize N [--dry-run] [--yes] [--force]';
/** What the operator types to confirm a finalize. */
const CONFIRMATION = 'finalize';

/**
 * `migrate status | up [--to N] | down N | finalize N`: the migrations in `migrations/`, recorded in
 * `migrations`. Progress goes to stdout (bars on a terminal, JSON lines otherwise), then a summary
 * table; a failure is one line on stderr and exit code 1. `finalize N` lists what migration N kept for
 * its rollback and drops it once the operator types "finalize" (or passed `--yes`).
 */
@Command({
  name: 'migrate',
  arguments: '[action] [number]',
  description: 'Show (status), apply (up), roll back (down N) or finalize (finalize N) the data migrations',
})
export class MigrateCommand extends CommandRunner {
  constructor(
    private readonly runner: MigrationRunner,
    private readonly finalizer: MigrationFinalizer,
  ) {
    super();
  }

  async run([action = 'status', number]: string[], options: MigrateOptions): Promise<void> {
    try {
      if (action === 'status') return await this.printStatus();
      if (action === 'up' && number === undefined) return this.printResult(await this.runner.up(options), options);
      if (action === 'down' && number !== undefined) {
        return this.printResult(await this.runner.down(parseMigrationNumber(number), options), options);
      }
      if (action === 'finalize' && number !== undefined)
        return await this.finalize(parseMigrationNumber(number), options);
      throw new Error(USAGE);
    } catch (error) {
      process.stderr.write(`migrate failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }

  private async printStatus(): Promise<void> {
    const rows = await this.runner.status();
    if (rows.length === 0) return void process.stdout.write('no migrations\n');
    new Console(process.stdout).table(
      rows.map((row) => ({
        migration: `${String(row.number).padStart(3, '0')}-${row.name}`,
        status:
          row.status === 'applying' || row.status === 'rolling-back'
            ? `${row.status} (interrupted)`
            : row.finalized_at
              ? `${row.status} (finalized)`
              : row.status,
        started_at: row.started_at?.toISOString() ?? '',
        seconds: row.duration_ms === null ? '' : (row.duration_ms / 1000).toFixed(1),
        error: row.error ?? '',
      })),
    );
  }

  private async finalize(number: number, options: MigrateOptions): Promise<void> {
    const plan = await this.finalizer.plan(number);
    const count = plan.leftovers.length;
    if (count > 0) {
      process.stdout.write(`migration ${plan.migration} keeps these collections for its rollback:\n`);
      new Console(process.stdout).table(
        plan.leftovers.map(({ name, kind, documents }) => ({ collection: name, kind, documents })),
      );
    } else {
      process.stdout.write(`migration ${plan.migration} keeps no collection any more\n`);
    }
    if (options.dryRun) return void process.stdout.write(`dry run, nothing dropped: ${count} collections would go\n`);
    if (count > 0 && !options.yes && !(await confirmed(plan))) {
      throw new Error(`not confirmed: nothing was dropped (type "${CONFIRMATION}" when asked, or pass --yes)`);
    }
    const dropped = await this.finalizer.finalize(number, plan, options);
    process.stdout.write(
      `done: finalized ${plan.migration} (down ${number} is no longer possible); dropped ${dropped.length} collections${dropped.length ? `: ${dropped.join(', ')}` : ''}\n`,
    );
  }

  private printResult(result: MigrationRunResult, options: MigrateOptions): void {
    const verb = options.dryRun ? 'dry run, nothing written' : 'done';
    if (result.ran.length === 0) return void process.stdout.write('nothing to do: no migration is pending\n');
    if (result.summary.length > 0) new Console(process.stdout).table(result.summary);
    process.stdout.write(`${verb}: ${result.ran.join(', ')}\n`);
  }

  @Option({ flags: '--to <number>', description: 'up: apply the pending migrations up to this one' })
  parseTo(value: string): number {
    return parseMigrationNumber(value);
  }

  @Option({ flags: '--dry-run', description: 'Count what would change and write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--force', description: 'Take over a lock whose runner stopped beating (stale)' })
  parseForce(): boolean {
    return true;
  }

  @Option({ flags: '--yes', description: 'finalize: drop without asking' })
  parseYes(): boolean {
    return true;
  }
}

/** Asks on the terminal (or reads one line piped in); no answer, or any other, is a no. */
async function confirmed(plan: FinalizePlan): Promise<boolean> {
  process.stdout.write(
    `Drop these ${plan.leftovers.length} collections for good? They hold v1 data (responses, password hashes); ` +
      `afterwards the migration cannot be rolled back. Type "${CONFIRMATION}" to confirm: `,
  );
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of lines) return line.trim() === CONFIRMATION;
    return false;
  } finally {
    lines.close();
  }
}

function parseMigrationNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1)
    throw new Error(`a migration number is a whole number from 1, not "${value}"`);
  return number;
}
