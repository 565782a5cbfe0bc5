import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { type ResolvedTenant, TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { AuditLogService } from '../events/index.js';
import { TenantsService } from '../tenants/index.js';
import { ErasureService } from './erasure.service.js';
import { ExportRunningError } from './response-erasure.service.js';
import { type RetentionRunRecord, RetentionRunsRepository } from './retention-runs.repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A deletion whose erasure has not finished after this long lost its job: the daily run finishes it. */
const INTERRUPTED_AFTER_MS = 60 * 60 * 1000;

/** What one daily run erased, over every tenant. */
export interface RetentionSummary {
  tenants: number;
  responses_erased: number;
  spam_erased: number;
  audit_entries_erased: number;
  interrupted_erasures_finished: number;
}

/**
 * The daily retention run: tenant by tenant (each inside its own scope, through the tenant-scoped
 * services), erases responses older than the tenant's `response_retention_days` and spam older
 * than its `spam_retention_days` the way a deletion does, audit entries older than `AUDIT_RETENTION_DAYS`, and finishes erasures a lost job left
 * behind. Each tenant's run is recorded in `retention_runs` when it erased anything or has a limit.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);
  private readonly settings: { auditRetentionDays: number; batchSize: number };

  constructor(
    private readonly tenants: TenantsService,
    private readonly auditLog: AuditLogService,
    private readonly erasure: ErasureService,
    private readonly runs: RetentionRunsRepository,
    config: AppConfigService,
  ) {
    this.settings = config.erasure;
  }

  /** `stop` (the job's time limit) ends the run between two tenants; the next run takes up the rest. */
  async run(now = new Date(), stop?: AbortSignal): Promise<RetentionSummary> {
    const summary: RetentionSummary = {
      tenants: 0,
      responses_erased: 0,
      spam_erased: 0,
      audit_entries_erased: 0,
      interrupted_erasures_finished: 0,
    };
    // A tenant being deleted is erased whole by its own job.
    for (const tenant of (await this.tenants.list()).filter((found) => found.status !== 'deleting')) {
      stop?.throwIfAborted();
      const run = await TenantContext.runForTenant(tenant, () => this.runForTenant(tenant, now)).catch(
        (error: unknown) => {
          // The responses it marked deleted answer 404 already; the next run finishes their erasure.
          if (!(error instanceof ExportRunningError)) throw error;
          this.logger.warn({ msg: 'retention postponed: an export is running', tenant_id: tenant.tenant_id });
          return null;
        },
      );
      summary.tenants += 1;
      if (!run) continue;
      summary.responses_erased += run.responses_erased;
      summary.spam_erased += run.spam_erased;
      summary.audit_entries_erased += run.audit_entries_erased;
      summary.interrupted_erasures_finished += run.interrupted_erasures_finished;
    }
    this.logger.log({ msg: 'retention run', ...summary });
    return summary;
  }

  private async runForTenant(tenant: ResolvedTenant, now: Date): Promise<RetentionRunRecord> {
    const days = tenant.settings.response_retention_days;
    const responsesBefore = days ? new Date(now.getTime() - days * DAY_MS) : null;
    const spamDays = tenant.settings.spam_retention_days;
    const spamBefore = spamDays ? new Date(now.getTime() - spamDays * DAY_MS) : null;
    const auditBefore = new Date(now.getTime() - this.settings.auditRetentionDays * DAY_MS);
    const run: RetentionRunRecord = {
      started_at: new Date(),
      responses_before: responsesBefore,
      responses_erased: responsesBefore ? await this.erasure.eraseCreatedBefore(responsesBefore) : 0,
      spam_before: spamBefore,
      spam_erased: spamBefore ? await this.erasure.eraseSpamCreatedBefore(spamBefore) : 0,
      audit_entries_before: auditBefore,
      audit_entries_erased: await this.eraseAuditEntriesBefore(auditBefore),
      interrupted_erasures_finished: await this.erasure.finishInterrupted(
        new Date(now.getTime() - INTERRUPTED_AFTER_MS),
      ),
      finished_at: new Date(),
    };
    const didSomething =
      run.responses_erased + run.spam_erased + run.audit_entries_erased + run.interrupted_erasures_finished > 0;
    // Every tenant has a spam limit (30 days by default): a run that erased no spam is not worth a record.
    if (responsesBefore || didSomething) await this.runs.record(run);
    return run;
  }

  private async eraseAuditEntriesBefore(cutoff: Date): Promise<number> {
    let erased = 0;
    for (;;) {
      const batch = await this.auditLog.eraseOlderThan(cutoff, this.settings.batchSize);
      erased += batch;
      if (batch < this.settings.batchSize) return erased;
    }
  }
}
