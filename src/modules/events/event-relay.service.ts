import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService } from './event-dispatcher.service.js';
import { EventEntitiesService } from './event-entities.service.js';
import { EventsRepository, type PendingEvent } from './events.repository.js';

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
      const due = await TenantContext.runAsSystem('event relay scan', () => this.scan(), 'debug');
      let settled = 0;
      for (const pending of due) {
        if (await TenantContext.runForTenant(pending.envelope.tenant_id, () => this.settle(pending))) settled += 1;
      }
      if (due.length) this.logger.log({ msg: 'event relay pass', due: due.length, settled });
      return settled;
    } catch (error) {
      this.logger.error({ msg: 'event relay pass failed', err: (error as Error).message });
      return 0;
    }
  }

  /** What an earlier release left in its outbox joins the pending events first, then the due ones. */
  private async scan(): Promise<PendingEvent[]> {
    await this.events.adoptLegacyOutbox(BATCH);
    return this.events.due(new Date(), BATCH);
  }

  private async settle({ envelope, attempts }: PendingEvent): Promise<boolean> {
    if (!(await this.entities.happened(envelope.event_type, envelope.entity_id, new Date(envelope.timestamp)))) {
      await this.events.discard(envelope.event_id);
      this.logger.warn({ msg: 'event discarded: its write never happened', event_id: envelope.event_id });
      return true;
    }
    const retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.config.events.retryMs * 2 ** attempts);
    return this.dispatcher.publish(envelope, retryDelayMs);
  }
}
