import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Metrics } from '../../infrastructure/metrics/metrics.service.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Publishes every queue's depth per state as `queue_jobs`, read from Redis at scrape time. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly moduleRef: ModuleRef,
    private readonly redis: RedisAvailability,
  ) {}

  onModuleInit(): void {
    const queues = Object.values(QueueName).map((name) =>
      this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    );
    this.metrics.source('queue_jobs', async () => {
      // BullMQ would wait for Redis to come back; a scrape must not.
      if (!this.redis.isAvailable()) return [];
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...STATES)));
      return queues.flatMap((queue, index) =>
        STATES.map((state) => ({ labels: { queue: queue.name, state }, value: counts[index][state] ?? 0 })),
      );
    });
  }
}
