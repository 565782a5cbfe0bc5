import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Metrics } from '../metrics/metrics.js';
import { QueueName } from './queue-names.js';
import { RedisAvailability } from './redis-availability.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** Jobs ranked for fairness (`FairPriority`) wait in BullMQ's prioritized set: counted as waiting. */
const COUNTED_AS_WAITING = 'prioritized';

/**
 * Watches every queue: publishes its depth per state as `queue_jobs` and the age of its oldest
 * waiting job as `queue_oldest_waiting_seconds` (both read from Redis at scrape time; a prioritized
 * job is waiting, and of those the next to run is looked at), and logs its connection errors at debug level (BullMQ would print each to stderr; an
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
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...STATES, COUNTED_AS_WAITING)));
      return queues.flatMap((queue, index) =>
        STATES.map((state) => {
          const extra = state === 'waiting' ? (counts[index][COUNTED_AS_WAITING] ?? 0) : 0;
          return { labels: { queue: queue.name, state }, value: (counts[index][state] ?? 0) + extra };
        }),
      );
    });
    this.metrics.source('queue_oldest_waiting_seconds', async () => {
      if (!this.redis.isAvailable()) return [];
      const heads = await Promise.all(
        queues.map(async (queue) => [
          ...(await queue.getJobs(['wait'], 0, 0, true)),
          ...(await queue.getJobs([COUNTED_AS_WAITING], 0, 0, true)),
        ]),
      );
      const now = Date.now();
      return queues.map((queue, index) => {
        // A delayed job waits from the moment it became due, not from when it was added.
        const since = Math.min(
          now,
          ...heads[index].filter(Boolean).map((job) => job.timestamp + (job.opts.delay ?? 0)),
        );
        return { labels: { queue: queue.name }, value: Math.max(0, (now - since) / 1000) };
      });
    });
  }
}
