import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService } from './event-dispatcher.service.js';
import { EventEntitiesService } from './event-entities.service.js';
import type { OutboxEntry } from './event.schema.js';
import { EventsRepository } from './events.repository.js';

const BATCH = 200;
const MAX_RETRY_DELAY_MS = 5 * 60_000;

/**
 * Delivers what the API could not hand over (Redis or the process down at that moment): pending
 * envelopes whose entity was written are published again, the others are discarded. Runs in the
 * worker (started by `EventsWorkerModule`), every `EVENT_RELAY_INTERVAL_MS`.
 */
@Injectable()
export class EventRelayService implements OnApplicationShutdown {
  private readonly logger = new Logger(EventRelayService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly events: EventsRepository,
    private readonly entities: EventEntitiesService,
    private readonly dispatcher: EventDispatcherService,
    private readonly config: AppConfigService,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), this.config.events.relayIntervalMs);
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
        () => this.events.due(new Date(), BATCH),
        'debug',
      );
      let settled = 0;
      for (const entry of due) {
        if (await TenantContext.runForTenant(entry.tenant_id, () => this.settle(entry))) settled += 1;
      }
      if (due.length) this.logger.log({ msg: 'event relay pass', due: due.length, settled });
      return settled;
    } catch (error) {
      this.logger.error({ msg: 'event relay pass failed', err: (error as Error).message });
      return 0;
    }
  }

  private async settle(entry: OutboxEntry): Promise<boolean> {
    const pending = await this.events.pending(entry);
    const envelope = pending?.envelope;
    if (
      !envelope ||
      !(await this.entities.happened(envelope.event_type, envelope.entity_id, new Date(envelope.timestamp)))
    ) {
      await this.events.discard(entry._id);
      this.logger.warn({ msg: 'event discarded: its write never happened', event_id: entry._id });
      return true;
    }
    const retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.config.events.retryMs * 2 ** entry.attempts);
    return this.dispatcher.publish(envelope, retryDelayMs);
  }
}
