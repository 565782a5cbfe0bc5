import { Command, CommandRunner, Option } from 'nest-commander';
import { MAINTENANCE_POLL_MS, MaintenanceMode } from '../infrastructure/maintenance/maintenance-mode.js';

interface MaintenanceOptions {
  retryAfter: number;
}

/**
 * `maintenance on|off`: every API replica answers `503 maintenance` (health excepted) and every
 * worker pauses its queues within a second, until `off`. Without an argument, prints the state.
 */
@Command({
  name: 'maintenance',
  arguments: '[state]',
  description: 'Turn maintenance mode on or off for every API replica and worker (no argument: show it)',
})
export class MaintenanceCommand extends CommandRunner {
  constructor(private readonly maintenance: MaintenanceMode) {
    super();
  }

  async run([state]: string[], options: MaintenanceOptions): Promise<void> {
    if (state !== undefined && state !== 'on' && state !== 'off') {
      process.stderr.write(`maintenance failed: the state must be "on" or "off", not "${state}"\n`);
      process.exitCode = 1;
      return;
    }
    try {
      const current =
        state === undefined
          ? await this.maintenance.refresh()
          : await this.maintenance.set(state === 'on', options.retryAfter);
      const effect = state === undefined ? '' : ` (every process follows within ${(2 * MAINTENANCE_POLL_MS) / 1000} s)`;
      process.stdout.write(
        `maintenance ${current.on ? 'on' : 'off'}${current.on ? `, Retry-After ${current.retryAfterSeconds} s` : ''}${effect}\n`,
      );
    } catch (error) {
      process.stderr.write(`maintenance failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }

  @Option({
    flags: '--retry-after <seconds>',
    description: 'What the 503 answers tell clients to wait',
    defaultValue: 60,
  })
  parseRetryAfter(value: string): number {
    const seconds = Number(value);
    if (!Number.isInteger(seconds) || seconds < 1) throw new Error('--retry-after must be a whole number of seconds');
    return seconds;
  }
}
