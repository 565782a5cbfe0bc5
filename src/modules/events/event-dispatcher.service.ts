import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ClsService } from 'nestjs-cls';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { EventEnvelope, EventType } from './event-types.js';

/**
 * The one way to emit a domain event: builds the contract's envelope from the current tenant context
 * and hands it to the in-process listeners (which turn it into background jobs).
 */
@Injectable()
export class EventDispatcher {
  private readonly logger = new Logger(EventDispatcher.name);

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly cls: ClsService,
  ) {}

  dispatch<Payload extends object>(eventType: EventType, entityId: string, payload: Payload): EventEnvelope<Payload> {
    const envelope: EventEnvelope<Payload> = {
      event_id: randomUUID(),
      event_type: eventType,
      timestamp: new Date().toISOString(),
      tenant_id: TenantContext.tenantId(),
      user_id: TenantContext.actor()?.user_id ?? null,
      entity_id: entityId,
      payload,
      metadata: { request_id: this.cls.getId(), source: 'api' },
    };
    this.logger.debug({ msg: 'event dispatched', event: envelope });
    this.emitter.emit(eventType, envelope);
    return envelope;
  }
}
