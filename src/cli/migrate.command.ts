import { Console } from 'node:console';
import { Command, CommandRunner, Option } from 'nest-commander';
import { MigrationRunner, type MigrationRunResult } from '../infrastructure/migrations/migration-runner.js';

interface MigrateOptions {
  to?: number;
  dryRun?: boolean;
  force?: boolean;
}

const USAGE = 'usage: migrate status | up [--to N] [--dry-run] [--force] | down N [--dry-run] [--force]';

/**
 * `migrate status | up [--to N] | down N`: the migrations in `migrations/`, recorded in `migrations`.
 * Progress goes to stdout (bars on a terminal, JSON lines otherwise), then a summary table; a failure is
 * one line on stderr and exit code 1.
 */
@Command({
  name: 'migrate',
  arguments: '[action] [number]',
  description: 'Show (status), apply (up) or roll back (down N) the data migrations',
})
export class MigrateCommand extends CommandRunner {
  constructor(private readonly runner: MigrationRunner) {
    super();
  }

  async run([action = 'status', number]: string[], options: MigrateOptions): Promise<void> {
    try {
      if (action === 'status') return await this.printStatus();
      if (action === 'up' && number === undefined) return this.printResult(await this.runner.up(options), options);
      if (action === 'down' && number !== undefined) {
        return this.printResult(await this.runner.down(parseMigrationNumber(number), options), options);
      }
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
        status: row.status === 'applying' || row.status === 'rolling-back' ? `${row.status} (interrupted)` : row.status,
        started_at: row.started_at?.toISOString() ?? '',
        seconds: row.duration_ms === null ? '' : (row.duration_ms / 1000).toFixed(1),
        error: row.error ?? '',
      })),
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
}

function parseMigrationNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1)
    throw new Error(`a migration number is a whole number from 1, not "${value}"`);
  return number;
}
