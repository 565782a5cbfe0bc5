import { Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics } from '../../infrastructure/metrics/metrics.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventsRepository } from './events.repository.js';

/** Publishes the outbox size as `events_undelivered`: above zero for long means delivery is stuck. */
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
  }
}
