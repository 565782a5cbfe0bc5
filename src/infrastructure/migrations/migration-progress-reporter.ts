import cliProgress from 'cli-progress';
import type { CollectionFigures, MigrationProgress } from '../../../migrations/migration.js';

export interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

interface CollectionRun {
  total: number;
  startedAt: number;
  bar?: cliProgress.SingleBar;
}

/**
 * Shows a migration's progress: on a terminal a bar per collection (done/total, rate, ETA), otherwise
 * (logs, CI, the image) one JSON line per batch and per log entry. Collects the figures for the
 * summary table printed at the end. `afterBatch` runs after every batch: the runner checks its lock
 * there, and tests inject a crash.
 */
export class MigrationProgressReporter implements MigrationProgress {
  private readonly runs = new Map<string, CollectionRun>();
  private readonly rows: Record<string, string | number>[] = [];
  private readonly bars?: cliProgress.MultiBar;

  constructor(
    private readonly migration: string,
    private readonly stream: ProgressStream,
    private readonly afterBatch: () => Promise<void> | void,
  ) {
    if (stream.isTTY) {
      this.bars = new cliProgress.MultiBar(
        {
          stream,
          format: '{collection} [{bar}] {value}/{total} | {rate} docs/s | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  start(collection: string, total: number): void {
    const bar = this.bars?.create(total, 0, { collection: collection.padEnd(15), rate: 0 });
    this.runs.set(collection, { total, startedAt: Date.now(), bar });
    this.line({ collection, event: 'start', total });
  }

  async advance(collection: string, done: number): Promise<void> {
    const run = this.runs.get(collection);
    if (run) {
      const seconds = (Date.now() - run.startedAt) / 1000;
      const rate = seconds > 0 ? Math.round(done / seconds) : done;
      run.bar?.update(done, { rate });
      this.line({ collection, event: 'batch', done, total: run.total, docs_per_second: rate });
    }
    await this.afterBatch();
  }

  finish(collection: string, figures: CollectionFigures): void {
    const run = this.runs.get(collection);
    run?.bar?.update(run.total);
    const seconds = run ? (Date.now() - run.startedAt) / 1000 : 0;
    this.rows.push({ migration: this.migration, collection, ...figures, seconds: Number(seconds.toFixed(2)) });
    this.line({ collection, event: 'done', ...figures });
  }

  log(fields: { msg: string } & Record<string, unknown>): void {
    if (this.bars) this.bars.log(`${fields.msg}${describe(fields)}\n`);
    else this.stream.write(`${JSON.stringify({ migration: this.migration, ...fields })}\n`);
  }

  /** One row per collection with its figures, for the summary table. */
  get summary(): readonly Record<string, string | number>[] {
    return this.rows;
  }

  close(): void {
    this.bars?.stop();
  }

  private line(fields: Record<string, unknown>): void {
    if (!this.bars) this.stream.write(`${JSON.stringify({ migration: this.migration, ...fields })}\n`);
  }
}

const describe = (fields: Record<string, unknown>) => {
  const rest = Object.entries(fields).filter(([key]) => key !== 'msg');
  return rest.length === 0 ? '' : ` (${rest.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ')})`;
};
