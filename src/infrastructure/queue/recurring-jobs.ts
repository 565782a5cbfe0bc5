import type { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { ScheduledJobData } from './job-catalog.js';

/** A job a queue runs every `everyMs`, under a scheduler of a fixed id; `name` is one of its catalog's. */
export interface RecurringJob<Name extends string = string> {
  id: string;
  name: Name;
  everyMs: number;
}

const RETRY_MS = 30_000;

/**
 * Sets a queue's job schedulers. BullMQ keeps one scheduler per id however many workers set it, so
 * each job runs once per interval across the cluster. Not awaited at start-up: with Redis down the
 * worker still starts, and the schedules are set once Redis answers (tried again every 30 s).
 */
export class RecurringJobs<Jobs = Record<string, ScheduledJobData>> {
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    private readonly queue: Pick<Queue, 'upsertJobScheduler' | 'removeJobScheduler'>,
    private readonly logger: Logger,
  ) {}

  schedule(jobs: RecurringJob<keyof Jobs & string>[]): void {
    for (const job of jobs) this.upsert(job);
  }

  /** Removes schedulers an earlier release set on this queue, for jobs that moved or went. */
  retire(ids: string[]): void {
    for (const id of ids) {
      this.queue
        .removeJobScheduler(id)
        .catch((error: Error) =>
          this.logger.warn({ msg: 'retired schedule not removed', schedule: id, err: error.message }),
        );
    }
  }

  stop(): void {
    for (const retry of this.retries) clearTimeout(retry);
  }

  private upsert(job: RecurringJob): void {
    this.queue.upsertJobScheduler(job.id, { every: job.everyMs }, { name: job.name }).catch((error: Error) => {
      this.logger.warn({ msg: 'job not scheduled yet; retrying', schedule: job.id, err: error.message });
      const retry = setTimeout(() => {
        this.retries.delete(retry);
        this.upsert(job);
      }, RETRY_MS).unref();
      this.retries.add(retry);
    });
  }
}
