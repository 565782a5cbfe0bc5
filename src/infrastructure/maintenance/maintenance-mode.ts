import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

interface MaintenanceDocument {
  _id: 'maintenance';
  on: boolean;
  retry_after_seconds: number;
  changed_at: Date;
}

export interface MaintenanceState {
  on: boolean;
  retryAfterSeconds: number;
}

/** Every process reads the flag this often: a change reaches every replica within a second. */
export const MAINTENANCE_POLL_MS = 500;
const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * Maintenance mode (`npm run cli -- maintenance on|off`), for the deployment checklist's migration
 * window: the API answers `503 maintenance` to everything but health, the worker pauses its queues.
 * The flag is one document in `system_state` on the database every process shares, so it holds
 * without Redis and survives restarts; each process polls it (an `_id` read). While the store cannot
 * be read, a process keeps the state it last saw.
 */
@Injectable()
export class MaintenanceMode implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceMode.name);
  private state: MaintenanceState = { on: false, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS };
  private readonly listeners: ((state: MaintenanceState) => Promise<void> | void)[] = [];
  private timer?: NodeJS.Timeout;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  get current(): MaintenanceState {
    return this.state;
  }

  /** Called with the new state whenever this process sees the flag change (the worker pauses its queues). */
  onChange(listener: (state: MaintenanceState) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), MAINTENANCE_POLL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Turns maintenance on or off for every process on this database. */
  async set(on: boolean, retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS): Promise<MaintenanceState> {
    await this.documents().updateOne(
      { _id: 'maintenance' },
      { $set: { on, retry_after_seconds: retryAfterSeconds, changed_at: new Date() } },
      { upsert: true },
    );
    await this.refresh();
    return this.state;
  }

  /** Reads the flag now; answers the state this process holds afterwards. */
  async refresh(): Promise<MaintenanceState> {
    let found: MaintenanceDocument | null;
    try {
      found = await this.documents().findOne({ _id: 'maintenance' });
    } catch (error) {
      this.logger.debug({ msg: 'maintenance flag unreadable; keeping the last state', err: (error as Error).message });
      return this.state;
    }
    const next = {
      on: found?.on ?? false,
      retryAfterSeconds: found?.retry_after_seconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    };
    const changed = next.on !== this.state.on;
    this.state = next;
    if (changed) await this.announce(next);
    return this.state;
  }

  private async announce(state: MaintenanceState): Promise<void> {
    this.logger.warn({ msg: state.on ? 'maintenance mode on' : 'maintenance mode off' });
    for (const listener of this.listeners) {
      await Promise.resolve(listener(state)).catch((error: Error) =>
        this.logger.error({ msg: 'maintenance listener failed', err: error.message }),
      );
    }
  }

  private documents() {
    return this.connection.collection<MaintenanceDocument>('system_state');
  }
}
