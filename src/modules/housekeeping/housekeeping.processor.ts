import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ObservedWorkerHost } from '../../infrastructure/queue/observed-worker-host.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { ExportsService } from '../exports/exports.service.js';
import { FilesService } from '../files/files.service.js';

export interface HousekeepingResult {
  expired_exports: number;
  unused_uploads: number;
}

/** The one schedule of the sweep: BullMQ keeps one per id, however many workers upsert it. */
const SWEEP_SCHEDULER_ID = 'housekeeping-sweep';
const SCHEDULE_RETRY_MS = 30_000;

/**
 * Erases what has outlived its time: export files past `EXPORT_TTL_HOURS`, anonymous uploads no
 * response used within 24 h. Scheduled every `HOUSEKEEPING_INTERVAL_MS` as a BullMQ job scheduler,
 * so one run happens per interval across the cluster; each run works tenant by tenant.
 */
@Processor(QueueName.housekeeping)
export class HousekeepingProcessor extends ObservedWorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HousekeepingProcessor.name);
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly exports: ExportsService,
    private readonly files: FilesService,
    private readonly config: AppConfigService,
    @InjectQueue(QueueName.housekeeping) private readonly queue: Queue,
  ) {
    super();
  }

  /** Not awaited: with Redis down the worker still starts, and the schedule is set once Redis answers. */
  onApplicationBootstrap(): void {
    this.schedule();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
  }

  private schedule(): void {
    this.queue
      .upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: this.config.housekeeping.intervalMs }, { name: 'sweep' })
      .catch((error: Error) => {
        this.logger.warn({ msg: 'housekeeping not scheduled yet; retrying', err: error.message });
        this.retry = setTimeout(() => this.schedule(), SCHEDULE_RETRY_MS).unref();
      });
  }

  async process(): Promise<HousekeepingResult> {
    const result = {
      expired_exports: await this.exports.eraseExpired(),
      unused_uploads: await this.files.eraseUnusedUploads(),
    };
    this.logger.log({ msg: 'housekeeping sweep', ...result });
    return result;
  }
}
