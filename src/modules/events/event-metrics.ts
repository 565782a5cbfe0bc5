import { Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics } from '../../infrastructure/metrics/metrics.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventsRepository } from './events.repository.js';

/**
 * Publishes the outbox for Prometheus: its size as `events_undelivered`, and the age of the oldest
 * event not yet handed to the queues as `events_outbox_oldest_age_seconds` (0 when empty). Entries
 * normally leave within seconds, so an old one means delivery is stuck (Redis or the relay down).
 */
@Injectable()
export class EventMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly events: EventsRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.source('events_undelivered', async () => [
      {
        labels: {},
        value: await TenantContext.runAsSystem('metrics: outbox size', () => this.events.countPending(), 'debug'),
      },
    ]);
    this.metrics.source('events_outbox_oldest_age_seconds', async () => {
      const oldest = await TenantContext.runAsSystem(
        'metrics: outbox age',
        () => this.events.oldestPendingAt(),
        'debug',
      );
      return [{ labels: {}, value: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0 }];
    });
  }
}
