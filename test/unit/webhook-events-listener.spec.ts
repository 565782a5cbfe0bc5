import { describe, expect, it } from '@jest/globals';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { type EventEnvelope, PUBLIC_EVENT_TYPES } from '../../src/modules/events/event.types.js';
import { WebhookEventsListener } from '../../src/modules/webhooks/webhook-events.listener.js';
import { WebhookJobsService } from '../../src/modules/webhooks/webhook-jobs.service.js';
import { WebhooksRepository } from '../../src/modules/webhooks/webhooks.repository.js';

describe('webhook events listener', () => {
  it('fans out every public event type and nothing else', async () => {
    const delivered: string[] = [];
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot()],
      providers: [
        WebhookEventsListener,
        {
          provide: WebhooksRepository,
          useValue: { subscribersOf: async () => [], markPending: async () => undefined },
        },
        {
          provide: WebhookJobsService,
          useValue: { deliver: async (_ids: string[], event: EventEnvelope) => void delivered.push(event.event_type) },
        },
      ],
    }).compile();
    await moduleRef.init();
    const emitter = moduleRef.get(EventEmitter2);

    for (const type of [...PUBLIC_EVENT_TYPES, 'invitation.created']) {
      await emitter.emitAsync(type, { event_type: type, payload: {} });
    }
    expect(delivered).toEqual(PUBLIC_EVENT_TYPES);
    await moduleRef.close();
  });
});
