import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { runWithTimeLimit } from '../../infrastructure/queue/job-time-limit.js';
import { ObservedWorkerHost } from '../../infrastructure/queue/observed-worker-host.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { type RetentionSummary, RetentionService } from '../erasure/retention.service.js';
import { type TenantErasureOutcome, TenantErasureService } from '../erasure/tenant-erasure.service.js';
import { ExportsService } from '../exports/exports.service.js';
import { FilesService } from '../files/files.service.js';
import { TENANT_ERASURE_JOB } from '../tenants/tenants.service.js';

export interface HousekeepingResult {
  expired_exports: number;
  unused_uploads: number;
  abandoned_bytes: number;
  deleted_tenants_erased: number;
}

/** The job names of the `housekeeping` queue. */
export const HousekeepingJob = { sweep: 'sweep', retention: 'retention', eraseTenant: TENANT_ERASURE_JOB } as const;

/**
 * One schedule per recurring job: BullMQ keeps one scheduler per id, however many workers upsert it,
 * so each runs once per interval across the cluster.
 */
const SCHEDULES = [
  {
    id: 'housekeeping-sweep',
    job: HousekeepingJob.sweep,
    every: (config: AppConfigService) => config.housekeeping.intervalMs,
  },
  {
    id: 'retention-daily',
    job: HousekeepingJob.retention,
    every: (config: AppConfigService) => config.erasure.retentionIntervalMs,
  },
];
const SCHEDULE_RETRY_MS = 30_000;

/**
 * Work of the whole cluster rather than of one tenant, run in the system's name:
 * - `sweep` (every `HOUSEKEEPING_INTERVAL_MS`): export files past `EXPORT_TTL_HOURS`, anonymous
 *   uploads no response used within 24 h, and tenants left `deleting` by a lost job;
 * - `retention` (every `RETENTION_INTERVAL_MS`, daily): responses and audit entries past their time;
 * - `erase-tenant`: the erasure of one deleted tenant, queued by `DELETE /admin/tenants/:tenant_id`.
 * Each runs under the job time limit (`QUEUE_JOB_TIMEOUT_MS`) and stops between its steps past it;
 * every step resumes where the last run stopped, so the retry (or the next run) finishes the work.
 */
@Processor(QueueName.housekeeping)
export class HousekeepingProcessor extends ObservedWorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HousekeepingProcessor.name);
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    private readonly exports: ExportsService,
    private readonly files: FilesService,
    private readonly retention: RetentionService,
    private readonly tenantErasure: TenantErasureService,
    private readonly config: AppConfigService,
    @InjectQueue(QueueName.housekeeping) private readonly queue: Queue,
  ) {
    super();
  }

  /** Not awaited: with Redis down the worker still starts, and the schedules are set once Redis answers. */
  onApplicationBootstrap(): void {
    for (const schedule of SCHEDULES) this.schedule(schedule.id, schedule.job, schedule.every(this.config));
  }

  onApplicationShutdown(): void {
    for (const retry of this.retries) clearTimeout(retry);
  }

  private schedule(id: string, job: string, every: number): void {
    this.queue.upsertJobScheduler(id, { every }, { name: job }).catch((error: Error) => {
      this.logger.warn({ msg: 'housekeeping not scheduled yet; retrying', schedule: id, err: error.message });
      const retry = setTimeout(() => {
        this.retries.delete(retry);
        this.schedule(id, job, every);
      }, SCHEDULE_RETRY_MS).unref();
      this.retries.add(retry);
    });
  }

  process(
    job: Job<{ tenant_id?: string }>,
  ): Promise<HousekeepingResult | RetentionSummary | TenantErasureOutcome | null> {
    return runWithTimeLimit(job, { timeoutMs: this.config.queue.jobTimeoutMs }, (signal) => this.handle(job, signal));
  }

  private handle(
    job: Job<{ tenant_id?: string }>,
    signal: AbortSignal,
  ): Promise<HousekeepingResult | RetentionSummary | TenantErasureOutcome | null> {
    switch (job.name) {
      case HousekeepingJob.retention:
        return this.retention.run(new Date(), signal);
      case HousekeepingJob.eraseTenant:
        return this.tenantErasure.erase(String(job.data.tenant_id), signal);
      default:
        return this.sweep(signal);
    }
  }

  /** Four sweeps, each complete in itself: past the time limit the next one waits for the next run. */
  private async sweep(signal: AbortSignal): Promise<HousekeepingResult> {
    const step = async (sweep: () => Promise<number>) => {
      signal.throwIfAborted();
      return sweep();
    };
    const result = {
      expired_exports: await step(() => this.exports.eraseExpired()),
      unused_uploads: await step(() => this.files.eraseUnusedUploads()),
      abandoned_bytes: await step(() => this.files.eraseAbandonedBytes()),
      deleted_tenants_erased: await step(() => this.tenantErasure.finishPending(signal)),
    };
    this.logger.log({ msg: 'housekeeping sweep', ...result });
    return result;
  }
}
