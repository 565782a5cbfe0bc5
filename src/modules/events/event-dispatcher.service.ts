import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { currentRequestIds } from '../../infrastructure/cls/request-ids.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { EventPayloads } from './event-payloads.js';
import type { EventEnvelope, EventType } from './event.types.js';
import { EventsRepository } from './events.repository.js';

/** A domain event and the write it announces. */
export interface Emission<Type extends EventType, Result> {
  type: Type;
  /** The id of the entity the write creates or changes (generated up front for a creation). */
  entityId: string;
  /** Checked against the event catalog's entry for `type` (`EventPayloads`). */
  payload: EventPayloads[Type];
  /**
   * A step the write depends on that runs while the envelope is being stored (a quota reservation):
   * one store round trip less before the write. When it throws, the envelope is discarded, nothing
   * is written and its error is thrown.
   */
  alongside?: () => Promise<unknown>;
  /** The write; it runs once the envelope is stored (and `alongside` has succeeded). */
  write: () => Promise<Result>;
  /** Whether the write changed anything (default: always); when not, the event is discarded. */
  happened?: (result: Result) => boolean;
}

/**
 * The one way to emit a domain event. `emitWith` stores the envelope before the write it announces,
 * then hands it to the listeners (which turn it into background jobs). A crash or an unreachable
 * Redis at any point leaves a pending envelope that the relay delivers or, when the write never
 * happened, discards: nothing is lost and nothing is invented.
 */
@Injectable()
export class EventDispatcherService implements OnApplicationShutdown {
  private readonly logger = new Logger(EventDispatcherService.name);
  private readonly relay: { graceMs: number; retryMs: number; publishTimeoutMs: number };
  private readonly inFlight = new Set<Promise<boolean>>();

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly events: EventsRepository,
    config: AppConfigService,
  ) {
    this.relay = config.events;
  }

  /**
   * Stores the envelope, runs `write`, and publishes the event when `happened(result)` (default:
   * always) without making the caller wait. If `write` throws or did nothing, the envelope is
   * discarded and nothing is emitted.
   */
  async emitWith<Type extends EventType, Result>(emission: Emission<Type, Result>): Promise<Result> {
    const { type, entityId, payload, alongside, write, happened = () => true } = emission;
    const envelope = this.envelope(type, entityId, payload);
    const [recorded, precondition] = await Promise.allSettled([
      this.events.record(envelope, new Date(Date.now() + this.relay.graceMs)),
      alongside?.(),
    ]);
    if (recorded.status === 'rejected') throw recorded.reason;
    let result: Result;
    try {
      if (precondition.status === 'rejected') throw precondition.reason;
      result = await write();
    } catch (error) {
      await this.discard(envelope);
      throw error;
    }
    if (happened(result)) this.publishInBackground(envelope);
    else await this.discard(envelope);
    return result;
  }

  /**
   * Stored in the outbox, the event is already safe: the caller need not wait for the queues. A
   * publication cut short (shutdown, crash) is completed by the relay.
   */
  private publishInBackground(envelope: EventEnvelope): void {
    const publication = this.publish(envelope).finally(() => this.inFlight.delete(publication));
    this.inFlight.add(publication);
  }

  /** Lets publications under way finish before the process stops. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Runs the listeners; never throws. On failure (Redis down, a listener error, too slow) the envelope
   * stays pending and the relay retries; listeners use deterministic job ids, so a retry never
   * duplicates a job that did get queued.
   */
  async publish(envelope: EventEnvelope, retryDelayMs = this.relay.retryMs): Promise<boolean> {
    try {
      await withTimeout(this.emitter.emitAsync(envelope.event_type, envelope), this.relay.publishTimeoutMs);
      await this.events.published(envelope);
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn({ msg: 'event not published yet; the relay will retry', event_id: envelope.event_id, reason });
      await this.events
        .recordFailure(envelope.event_id, reason, new Date(Date.now() + retryDelayMs))
        .catch((recordError: Error) =>
          this.logger.error({ msg: 'could not record publish failure', err: recordError.message }),
        );
      return false;
    }
  }

  private async discard(envelope: EventEnvelope): Promise<void> {
    await this.events.discard(envelope.event_id).catch((error: Error) =>
      // The relay discards it later anyway: its entity never changed.
      this.logger.warn({ msg: 'could not discard event', event_id: envelope.event_id, err: error.message }),
    );
  }

  private envelope<Type extends EventType>(
    eventType: Type,
    entityId: string,
    payload: EventPayloads[Type],
  ): EventEnvelope<Type> {
    const actor = TenantContext.actor();
    const envelope: EventEnvelope<Type> = {
      event_id: randomUUID(),
      event_type: eventType,
      timestamp: new Date().toISOString(),
      tenant_id: TenantContext.tenantId(),
      user_id: actor?.user_id ?? null,
      entity_id: entityId,
      payload,
      metadata: { ...currentRequestIds(), source: 'api', ...(actor?.api_key_id && { api_key_id: actor.api_key_id }) },
    };
    // Never the payload: it carries respondents' answers.
    this.logger.debug({ msg: 'event', event_id: envelope.event_id, event_type: eventType, entity_id: entityId });
    return envelope;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`listeners took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
