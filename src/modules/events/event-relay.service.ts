import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcher } from './event-dispatcher.service.js';
import { EventEntities } from './event-entities.js';
import type { StoredEvent } from './event.schema.js';
import { EventsRepository, toEnvelope } from './events.repository.js';

const BATCH = 200;
const MAX_RETRY_DELAY_MS = 5 * 60_000;

/**
 * Delivers what the API could not hand over (Redis or the process down at that moment): pending
 * envelopes whose entity was written are published again, the others are discarded. Runs in the
 * worker, every `EVENT_RELAY_INTERVAL_MS`.
 */
@Injectable()
export class EventRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRelay.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly events: EventsRepository,
    private readonly entities: EventEntities,
    private readonly dispatcher: EventDispatcher,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.events.relayIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; answers how many envelopes it settled. Overlapping calls share the running pass. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    try {
      const due = await TenantContext.runAsSystem(
        'event relay scan',
        () => this.events.duePending(new Date(), BATCH),
        'debug',
      );
      let settled = 0;
      for (const event of due) {
        if (await TenantContext.runForTenant(event.tenant_id, () => this.settle(event))) settled += 1;
      }
      if (due.length) this.logger.log({ msg: 'event relay pass', due: due.length, settled });
      return settled;
    } catch (error) {
      this.logger.error({ msg: 'event relay pass failed', err: (error as Error).message });
      return 0;
    }
  }

  private async settle(event: StoredEvent): Promise<boolean> {
    if (!(await this.entities.happened(event.event_type, event.entity_id, event.timestamp))) {
      await this.events.markDiscarded(event._id);
      this.logger.warn({ msg: 'event discarded: its write never happened', event_id: event._id });
      return true;
    }
    const retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.config.events.retryMs * 2 ** event.publish_attempts);
    return this.dispatcher.publish(toEnvelope(event), retryDelayMs);
  }
}
