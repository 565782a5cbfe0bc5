import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Metrics } from '../metrics/metrics.js';
import { QueueName } from './queue-names.js';
import { RedisAvailability } from './redis-availability.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Watches every queue: publishes its depth per state as `queue_jobs` and the age of its oldest
 * waiting job as `queue_oldest_waiting_seconds` (both read from Redis at scrape time), and logs its connection errors at debug level (BullMQ would print each to stderr; an
 * outage shows in /health/ready and in the metrics).
 */
@Injectable()
export class QueueMonitor implements OnModuleInit {
  private readonly logger = new Logger(QueueMonitor.name);

  constructor(
    private readonly metrics: Metrics,
    private readonly moduleRef: ModuleRef,
    private readonly redis: RedisAvailability,
  ) {}

  onModuleInit(): void {
    const queues = Object.values(QueueName).map((name) =>
      this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    );
    for (const queue of queues) {
      queue.on('error', (error) =>
        this.logger.debug({ msg: 'queue connection error', queue: queue.name, err: error.message }),
      );
    }
    this.metrics.source('queue_jobs', async () => {
      // BullMQ would wait for Redis to come back; a scrape must not.
      if (!this.redis.isAvailable()) return [];
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...STATES)));
      return queues.flatMap((queue, index) =>
        STATES.map((state) => ({ labels: { queue: queue.name, state }, value: counts[index][state] ?? 0 })),
      );
    });
    this.metrics.source('queue_oldest_waiting_seconds', async () => {
      if (!this.redis.isAvailable()) return [];
      const oldest = await Promise.all(queues.map((queue) => queue.getJobs(['wait'], 0, 0, true)));
      const now = Date.now();
      return queues.map((queue, index) => {
        const job = oldest[index][0];
        // A delayed job waits from the moment it became due, not from when it was added.
        const since = job ? job.timestamp + (job.opts.delay ?? 0) : now;
        return { labels: { queue: queue.name }, value: Math.max(0, (now - since) / 1000) };
      });
    });
  }
}
