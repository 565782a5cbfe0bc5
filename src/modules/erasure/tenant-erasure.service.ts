import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { TenantDataEraser } from '../../infrastructure/tenancy/tenant-data-eraser.js';
import { FileErasureService } from '../files/index.js';
import { TenantsService } from '../tenants/index.js';
import { ErasureJobsService } from './erasure-jobs.service.js';
import { ERASURE_TARGETS, type ErasureTarget } from './erasure-targets.js';
import { TenantJobsEraser } from './tenant-jobs-eraser.js';

/** What erasing a tenant removed. */
export interface TenantErasureOutcome {
  files: number;
  jobs: number;
  documents: Record<string, number>;
  /** Sweeps it took until a count over every collection found nothing of the tenant. */
  sweeps: number;
  tenant_removed: boolean;
}

/** The pause before the second sweep; it doubles up to `MAX_SWEEP_DELAY_MS`, within `TENANT_ERASURE_WAIT_MS`. */
const FIRST_SWEEP_DELAY_MS = 250;
const MAX_SWEEP_DELAY_MS = 15_000;

/** Something of the tenant was still stored (or still running) after every sweep: the job fails and is retried. */
export class TenantNotErasedError extends Error {}

/**
 * Erases a tenant marked `deleting` (queued by `tenant.deleted`): the bytes of its files (through the
 * `FileErasureService`, inside the tenant), every extra `ErasureTarget`, its jobs in every queue, then every
 * document carrying its `tenant_id` in every collection the database lists (`TenantDataEraser`,
 * system scope: the one erasure not done through the tenant-scoped models, and logged as such). A job that was running when the deletion began may write documents back after a sweep, so
 * the erasure sweeps again until no job of the tenant runs and a count over every collection finds
 * nothing, and fails (to be retried) once `TENANT_ERASURE_WAIT_MS` is spent. Only then its record goes, and the id is
 * held back from reuse (see `TenantsService.removeDeleting`). Rerun safely after a crash.
 */
@Injectable()
export class TenantErasureService {
  private readonly logger = new Logger(TenantErasureService.name);
  private readonly batchSize: number;
  private readonly waitMs: number;

  constructor(
    private readonly tenants: TenantsService,
    private readonly files: FileErasureService,
    private readonly jobs: TenantJobsEraser,
    private readonly documents: TenantDataEraser,
    private readonly erasureJobs: ErasureJobsService,
    @Inject(ERASURE_TARGETS) private readonly targets: ErasureTarget[],
    config: AppConfigService,
  ) {
    this.batchSize = config.erasure.batchSize;
    this.waitMs = config.erasure.tenantWaitMs;
  }

  /**
   * `ownJobId`: the job running this erasure, which is itself one of the tenant's active jobs. `stop`
   * (the job's time limit) ends it between two steps; each step resumes where it stopped.
   */
  async erase(tenantId: string, ownJobId?: string, stop?: AbortSignal): Promise<TenantErasureOutcome | null> {
    const tenant = await this.tenants.find(tenantId);
    if (!tenant) return null;
    if (tenant.status !== 'deleting')
      throw new Error(`Tenant '${tenantId}' is not being deleted; refusing to erase it`);
    this.logger.log({ msg: 'tenant erasure started', tenant_id: tenantId });
    const files = await TenantContext.runForTenant(tenantId, () => this.files.eraseAllOfTenant(this.batchSize));
    stop?.throwIfAborted();
    for (const target of this.targets) await target.eraseTenant?.(tenantId);
    const swept = await this.sweepUntilNothingLeft(tenantId, ownJobId, stop);
    const tenant_removed = await this.tenants.removeDeleting(tenantId);
    // Jobs queued a moment ago (an event relayed late) would fail without their tenant: remove them too.
    const outcome = { files, ...swept, jobs: swept.jobs + (await this.jobs.eraseAll(tenantId)), tenant_removed };
    this.logger.log({ msg: 'tenant erased', tenant_id: tenantId, ...outcome });
    return outcome;
  }

  private async sweepUntilNothingLeft(
    tenantId: string,
    ownJobId: string | undefined,
    stop: AbortSignal | undefined,
  ): Promise<Pick<TenantErasureOutcome, 'jobs' | 'documents' | 'sweeps'>> {
    const documents: Record<string, number> = {};
    let jobs = 0;
    let waited = 0;
    for (let sweep = 1; ; sweep += 1) {
      stop?.throwIfAborted();
      jobs += await this.jobs.eraseAll(tenantId);
      for (const [name, count] of Object.entries(await this.documents.eraseEverywhere(tenantId, this.batchSize))) {
        documents[name] = (documents[name] ?? 0) + count;
      }
      // Running jobs first: one that ends between the two checks wrote before the count.
      const running = await this.jobs.countActive(tenantId, ownJobId);
      const left = await this.documents.countEverywhere(tenantId);
      if (running === 0 && left === 0) return { jobs, documents, sweeps: sweep };
      const delay = Math.min(FIRST_SWEEP_DELAY_MS * 2 ** (sweep - 1), MAX_SWEEP_DELAY_MS, this.waitMs - waited);
      if (delay <= 0) {
        throw new TenantNotErasedError(
          `Tenant '${tenantId}' still has ${left} documents and ${running} running jobs after ${sweep} sweeps ` +
            `in ${waited} ms; its erasure fails and runs again`,
        );
      }
      this.logger.warn({ msg: 'tenant erasure: sweeping again', tenant_id: tenantId, sweep, left, running });
      await sleep(delay, undefined, { signal: stop });
      waited += delay;
    }
  }

  /**
   * Erases every tenant left `deleting` (its job lost, failed, or never queued); answers how many it
   * finished. A tenant whose own erasure job waits or runs is left to it: erasing it here too would
   * count that job among the tenant's running ones and wait on it for `TENANT_ERASURE_WAIT_MS`.
   */
  async finishPending(stop?: AbortSignal): Promise<number> {
    let finished = 0;
    for (const tenantId of await this.tenants.idsDeleting()) {
      stop?.throwIfAborted();
      if (await this.erasureJobs.tenantErasureUnderWay(tenantId)) continue;
      try {
        await this.erase(tenantId, undefined, stop);
        finished += 1;
      } catch (error) {
        if (stop?.aborted) throw error;
        // One tenant's erasure that cannot finish yet holds back no other; the next sweep retries it.
        this.logger.error({ msg: 'tenant erasure not finished', tenant_id: tenantId, err: (error as Error).message });
      }
    }
    return finished;
  }
}
