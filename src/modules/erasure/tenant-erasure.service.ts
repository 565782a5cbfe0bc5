import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { TenantJobsEraser } from '../../infrastructure/queue/tenant-jobs-eraser.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { TenantDataEraser } from '../../infrastructure/tenancy/tenant-data-eraser.js';
import { FilesService } from '../files/files.service.js';
import { TenantsService } from '../tenants/tenants.service.js';

/** What erasing a tenant removed. */
export interface TenantErasureOutcome {
  files: number;
  jobs: number;
  documents: Record<string, number>;
  tenant_removed: boolean;
}

/**
 * Erases a tenant marked `deleting`: the bytes of its files (through the files service, inside the
 * tenant), its jobs in every queue, then every document carrying its `tenant_id` in every collection
 * (system scope: the one erasure that is not done through the tenant-scoped models, and logged as
 * such), and finally its record and every replica's cached copy. Rerun safely after a crash.
 */
@Injectable()
export class TenantErasureService {
  private readonly logger = new Logger(TenantErasureService.name);
  private readonly batchSize: number;

  constructor(
    private readonly tenants: TenantsService,
    private readonly files: FilesService,
    private readonly jobs: TenantJobsEraser,
    private readonly documents: TenantDataEraser,
    config: AppConfigService,
  ) {
    this.batchSize = config.erasure.batchSize;
  }

  /** `stop` (the job's time limit) ends it between two steps; each step resumes where it stopped. */
  async erase(tenantId: string, stop?: AbortSignal): Promise<TenantErasureOutcome | null> {
    const tenant = await this.tenants.find(tenantId);
    if (!tenant) return null;
    if (tenant.status !== 'deleting')
      throw new Error(`Tenant '${tenantId}' is not being deleted; refusing to erase it`);
    this.logger.log({ msg: 'tenant erasure started', tenant_id: tenantId });
    const files = await TenantContext.runForTenant(tenantId, () => this.files.eraseAllOfTenant(this.batchSize));
    stop?.throwIfAborted();
    const jobs = await this.jobs.eraseAll(tenantId);
    stop?.throwIfAborted();
    const documents = await this.documents.eraseEverywhere(tenantId, this.batchSize);
    stop?.throwIfAborted();
    const tenant_removed = await this.tenants.removeDeleting(tenantId);
    // Jobs that were running a moment ago have ended by now, keeping the tenant's data: remove them too.
    const outcome = { files, jobs: jobs + (await this.jobs.eraseAll(tenantId)), documents, tenant_removed };
    this.logger.log({ msg: 'tenant erased', tenant_id: tenantId, ...outcome });
    return outcome;
  }

  /** Erases every tenant left `deleting` (its job lost, failed, or never queued). */
  async finishPending(stop?: AbortSignal): Promise<number> {
    const pending = await this.tenants.idsDeleting();
    for (const tenantId of pending) await this.erase(tenantId, stop);
    return pending.length;
  }
}
