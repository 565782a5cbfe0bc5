import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import type { RecurringJobs } from '../../infrastructure/queue/recurring-jobs.js';
import { ErasureJobsService } from './erasure-jobs.service.js';
import { ErasureJobName, type ErasureJobs } from './erasure.types.js';

/**
 * The `erasure` queue's recurring jobs, one run per interval across the cluster: `retention`
 * (`RETENTION_INTERVAL_MS`, daily) and `sweep` (`HOUSEKEEPING_INTERVAL_MS`, hourly: tenants left
 * `deleting` by a lost or failed job). Set by every worker at start-up.
 */
@Injectable()
export class ErasureSchedules implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly schedules: RecurringJobs<ErasureJobs>;

  constructor(
    jobs: ErasureJobsService,
    private readonly config: AppConfigService,
  ) {
    this.schedules = jobs.recurringJobs(new Logger(ErasureSchedules.name));
  }

  onApplicationBootstrap(): void {
    this.schedules.schedule([
      { id: 'retention-daily', name: ErasureJobName.Retention, everyMs: this.config.erasure.retentionIntervalMs },
      { id: 'erasure-sweep', name: ErasureJobName.Sweep, everyMs: this.config.housekeeping.intervalMs },
    ]);
  }

  onApplicationShutdown(): void {
    this.schedules.stop();
  }
}
