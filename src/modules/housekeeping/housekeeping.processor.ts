import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { CatalogQueue, ScheduledJobData } from '../../infrastructure/queue/job-catalog.js';
import { runWithTimeLimit } from '../../infrastructure/queue/job-time-limit.js';
import { ObservedWorkerHost } from '../../infrastructure/queue/observed-worker-host.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RecurringJobs } from '../../infrastructure/queue/recurring-jobs.js';
import { ExportsService } from '../exports/index.js';
import { FileErasureService } from '../files/index.js';

export interface HousekeepingResult {
  expired_exports: number;
  unused_uploads: number;
  abandoned_bytes: number;
}

/** The `housekeeping` queue's job catalog: its scheduler queues the sweep. */
interface HousekeepingJobs {
  sweep: ScheduledJobData;
}

/** Schedulers earlier releases set on this queue: retention moved to the `erasure` queue. */
const RETIRED_SCHEDULES = ['retention-daily'];

/**
 * The cluster's hourly sweep (every `HOUSEKEEPING_INTERVAL_MS`, one run per interval however many
 * workers run), in the system's name: export files past `EXPORT_TTL_HOURS`, anonymous uploads no
 * response used within 24 h, and bytes no file record names. Erasures (deletions, retention, deleted
 * tenants) are the `erasure` queue's (src/modules/erasure/).
 * Runs under the job time limit (`QUEUE_JOB_TIMEOUT_MS`) and stops between its steps past it; every
 * step resumes where the last run stopped, so the next run finishes the work.
 */
@Processor(QueueName.Housekeeping)
export class HousekeepingProcessor extends ObservedWorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HousekeepingProcessor.name);
  private readonly schedules: RecurringJobs<HousekeepingJobs>;

  constructor(
    private readonly exports: ExportsService,
    private readonly files: FileErasureService,
    private readonly config: AppConfigService,
    @InjectQueue(QueueName.Housekeeping) queue: CatalogQueue<HousekeepingJobs>,
  ) {
    super();
    this.schedules = new RecurringJobs(queue, this.logger);
  }

  onApplicationBootstrap(): void {
    this.schedules.retire(RETIRED_SCHEDULES);
    this.schedules.schedule([
      { id: 'housekeeping-sweep', name: 'sweep', everyMs: this.config.housekeeping.intervalMs },
    ]);
  }

  onApplicationShutdown(): void {
    this.schedules.stop();
  }

  /** Every job of this queue is the sweep (jobs an earlier release queued under other names too). */
  process(job: Job): Promise<HousekeepingResult> {
    return runWithTimeLimit(job, { timeoutMs: this.config.queue.jobTimeoutMs }, (signal) => this.sweep(signal));
  }

  /** Three sweeps, each complete in itself: past the time limit the next one waits for the next run. */
  private async sweep(signal: AbortSignal): Promise<HousekeepingResult> {
    const step = async (sweep: () => Promise<number>) => {
      signal.throwIfAborted();
      return sweep();
    };
    const result = {
      expired_exports: await step(() => this.exports.eraseExpired()),
      unused_uploads: await step(() => this.files.eraseUnusedUploads()),
      abandoned_bytes: await step(() => this.files.eraseAbandonedBytes()),
    };
    this.logger.log({ msg: 'housekeeping sweep', ...result });
    return result;
  }
}
