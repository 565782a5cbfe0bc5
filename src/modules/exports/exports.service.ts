import type { Readable } from 'node:stream';
import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { drainInBatches } from '../../infrastructure/database/drain-in-batches.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import type { CatalogQueue } from '../../infrastructure/queue/job-catalog.js';
import { longestJobRunMs } from '../../infrastructure/queue/job-time-limit.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import { sweepAcrossTenants } from '../../infrastructure/tenancy/sweep-across-tenants.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { FilesService } from '../files/index.js';
import { FormsService, FormVersionsService } from '../forms/index.js';
import { ResponsesService } from '../responses/index.js';
import { exportContent } from './export-content.js';
import { EXPORT_CONTENT_TYPES, type ExportFormat, exportFilename } from './export-format.js';
import type { ExportJobs } from './export.types.js';
import { type ExportRecord, ExportsRepository } from './exports.repository.js';

@Injectable()
export class ExportsService implements OnModuleInit {
  constructor(
    private readonly exports: ExportsRepository,
    private readonly forms: FormsService,
    private readonly formVersions: FormVersionsService,
    private readonly responses: ResponsesService,
    private readonly files: FilesService,
    private readonly redis: RedisAvailability,
    private readonly lock: StoreLock,
    @InjectQueue(QueueName.Export) private readonly queue: CatalogQueue<ExportJobs>,
    config: AppConfigService,
  ) {
    this.ttlMs = config.exports.ttlHours * 3_600_000;
    this.longestRunMs = longestJobRunMs({ timeoutMs: config.queue.jobTimeoutMs });
  }

  /**
   * Export files are marked `purpose: 'export'` when written (`FilesService.writeExport`); those an
   * older release wrote are not, so the files module asks which of the files it weighs are an
   * export's: no response may name them, no response's erasure takes them. They expire within
   * `EXPORT_TTL_HOURS` of the upgrade, like any export file.
   */
  onModuleInit(): void {
    this.files.registerKeptFiles((ids) => this.exports.fileIdsAmong(ids));
  }

  private readonly ttlMs: number;
  /** A run that started longer ago has ended, or its job failed: it records nothing (see `run`). */
  private readonly longestRunMs: number;

  /**
   * Records the export and queues it, one at a time per form: while one is queued or running (waiting
   * for a retry included) another answers `409 export_in_progress`. The check and the creation run
   * under a store lock on the form, so parallel requests on any replica cannot both pass, on MongoDB
   * and on FerretDB alike (an insert against a unique key is the one write both make atomic). Without
   * Redis it is refused at once rather than left queued forever.
   */
  async request(
    formId: Types.ObjectId,
    request: { format: ExportFormat; from?: Date; to?: Date },
  ): Promise<ExportRecord> {
    await this.forms.get(formId);
    if (!this.redis.isAvailable()) {
      throw ApiError.unavailable('Exports are unavailable; retry shortly');
    }
    try {
      return await this.lock.withLock(`exports:${TenantContext.tenantId()}:${formId.toHexString()}`, () =>
        this.startUnlessInProgress(formId, request),
      );
    } catch (error) {
      // Held past the wait: another request is starting an export of this form right now.
      if (error instanceof LockBusyError) throw exportInProgress();
      throw error;
    }
  }

  /**
   * An export in progress counts only while its job does: a job that failed for good, or was lost (a
   * worker that crashed past its retries, Redis data gone), leaves its export `failed` here instead of
   * blocking the form for ever.
   */
  private async startUnlessInProgress(
    formId: Types.ObjectId,
    request: Pick<ExportRecord, 'format' | 'from' | 'to'>,
  ): Promise<ExportRecord> {
    for (const current of await this.exports.inProgressOf(formId)) {
      if (await this.jobIsPending(current._id)) throw exportInProgress(current.status);
      await this.exports.update(current._id, { status: 'failed', error: 'The export stopped without finishing' });
    }
    const created = await this.exports.create(formId, request);
    const exportId = created._id.toHexString();
    try {
      await this.queue.add(
        'csv',
        { tenant_id: TenantContext.tenantId(), export_id: exportId },
        { jobId: jobIdOf(exportId) },
      );
    } catch (error) {
      await this.exports.update(created._id, { status: 'failed', error: 'The export could not be queued' });
      throw error;
    }
    return created;
  }

  /** Waiting, running, or delayed before a retry: BullMQ's word, which stays true across a worker's crash. */
  private async jobIsPending(exportId: Types.ObjectId): Promise<boolean> {
    const state = await this.queue.getJobState(jobIdOf(exportId.toHexString()));
    return !['completed', 'failed', 'unknown'].includes(state);
  }

  async get(id: Types.ObjectId): Promise<ExportRecord> {
    const found = await this.exports.findById(id);
    if (!found) throw ApiError.notFound('Export');
    return found;
  }

  async download(id: Types.ObjectId): Promise<{ filename: string; contentType: string; content: Readable }> {
    const found = await this.get(id);
    if (found.status !== 'completed') {
      throw new ApiError(HttpStatus.CONFLICT, ErrorCode.ExportNotReady, `The export is ${found.status}`);
    }
    if (!found.file_id || this.isExpired(found)) {
      throw new ApiError(
        HttpStatus.GONE,
        ErrorCode.ExportExpired,
        `Export files are kept ${this.ttlMs / 3_600_000} hours; start a new export`,
      );
    }
    const { content } = await this.files.open(found.file_id);
    // Exports recorded before formats existed hold `format: 'csv'` too.
    const format = found.format;
    return {
      filename: exportFilename(found.form_id.toHexString(), format),
      contentType: EXPORT_CONTENT_TYPES[format],
      content,
    };
  }

  /**
   * Worker: erases the files of exports completed over `EXPORT_TTL_HOURS` ago, tenant by tenant
   * (through the tenant-scoped models; only the search spans tenants). Answers how many.
   */
  async eraseExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.ttlMs);
    return sweepAcrossTenants({
      reason: 'exports: find expired export files',
      findBatch: (limit) => this.exports.expiredWithFile(cutoff, limit),
      eraseOne: async (expired) => {
        await this.exports.markExpired(expired._id);
        if (expired.file_id) await this.files.erase(expired.file_id);
        return true;
      },
    });
  }

  /** Erases every export of a (deleted) form: its file first, then its record, `batchSize` at a time. */
  eraseAllOfForm(formId: Types.ObjectId, batchSize: number): Promise<number> {
    return drainInBatches(
      () => this.exports.ofForm(formId, batchSize),
      async (batch) => {
        for (const found of batch) {
          if (found.file_id) await this.files.erase(found.file_id);
          await this.exports.remove(found._id);
        }
        return batch.length;
      },
    );
  }

  /**
   * Erasure of responses of `formId` created at or after `createdAt` and deleted at or before
   * `deletedAt`. A run reads only responses not deleted when it starts, so only a run that started
   * before `deletedAt` may hold one (the API's and workers' clocks are assumed to agree, as NTP keeps
   * them):
   * - the files of such runs that completed at or after `createdAt` are erased (their download then
   *   answers `410 export_expired`); an export started after the deletion keeps its file;
   * - `running` tells the caller that such a run is still under way and may yet record a file holding
   *   one, so it retries once the run ended. A run started longer ago than a job may last
   *   (`longestJobRunMs`) records nothing, and one started after the deletion never holds the erasure
   *   back: exports started back to back cannot keep a deleted response stored.
   * The running run is looked for first: one that completes meanwhile has its file erased here.
   */
  async eraseFilesThatMayHold(
    formId: Types.ObjectId,
    { createdAt, deletedAt }: { createdAt: Date; deletedAt: Date },
  ): Promise<{ erased: number; running: boolean }> {
    const running = await this.exports.runningStartedBetween(formId, {
      startedSince: new Date(Date.now() - this.longestRunMs),
      startedBefore: deletedAt,
    });
    const erased = await drainInBatches(
      () => this.exports.completedWithFileBetween(formId, { completedSince: createdAt, startedBefore: deletedAt }, 100),
      async (batch) => {
        for (const found of batch) {
          await this.exports.markExpired(found._id);
          if (found.file_id) await this.files.erase(found.file_id);
        }
        return batch.length;
      },
    );
    return { erased, running };
  }

  private isExpired(found: ExportRecord): boolean {
    return found.completed_at !== undefined && Date.now() - found.completed_at.getTime() > this.ttlMs;
  }

  /**
   * Streams the form's responses (within the export's `from` / `to`) from a cursor into a file of the
   * tenant in the export's format (see `exportContent`). Memory stays flat.
   *
   * `signal` fires at the job's time limit: the streaming stops, the storage removes the chunks it
   * wrote, and the export waits for its retry (`queued`), or is `failed` after its `lastAttempt`.
   * The run's start is recorded (`started_at`): a response's erasure waits only for runs that started
   * before its deletion (`eraseFilesThatMayHold`).
   */
  async run(
    id: Types.ObjectId,
    { signal, lastAttempt }: { signal: AbortSignal; lastAttempt: boolean },
  ): Promise<{ row_count: number }> {
    const found = await this.get(id);
    // The retry of a job whose export was recorded (its job failed just after): nothing to redo.
    if (found.status === 'completed') return { row_count: found.row_count };
    const startedAt = new Date();
    await this.exports.update(id, { status: 'running', started_at: startedAt });
    try {
      const csv = await this.writeFile(found, signal);
      if (Date.now() - startedAt.getTime() > this.longestRunMs) {
        // Its job failed past the grace (a call stuck past the time limit): for a response's erasure,
        // which may have gone ahead, it no longer runs, so it records nothing.
        await this.files.erase(csv.fileId);
        throw new Error('The export ran longer than its job may last');
      }
      const recorded = await this.exports
        .complete(id, { row_count: csv.rows, file_id: csv.fileId, started_at: startedAt, completed_at: new Date() })
        .catch(async (error: unknown) => {
          await this.files.erase(csv.fileId);
          throw error;
        });
      // Another run of this export (one that outlived its time limit) recorded its file first.
      if (!recorded) await this.files.erase(csv.fileId);
      return { row_count: csv.rows };
    } catch (error) {
      const reason = signal.aborted ? (signal.reason as Error) : (error as Error);
      // Unless a later run of the export started meanwhile: its state is its own.
      await this.exports.updateRun(
        id,
        startedAt,
        lastAttempt ? { status: 'failed', error: reason.message.slice(0, 500) } : { status: 'queued' },
      );
      throw error;
    }
  }

  /** The export's file; stops at the next response once `signal` fires, leaving no bytes behind. */
  private async writeFile(found: ExportRecord, signal: AbortSignal): Promise<{ fileId: Types.ObjectId; rows: number }> {
    const format = found.format;
    const fields = await this.formVersions.latestFields(found.form_id);
    const stream = this.responses.stream(found.form_id, { from: found.from, to: found.to });
    let rows = 0;
    const counted = async function* () {
      for await (const response of stream) {
        // Thrown into the storage's write, which removes what it stored; leaving the loop closes the cursor.
        signal.throwIfAborted();
        rows += 1;
        yield response;
      }
    };
    const file = await this.files.writeExport({
      filename: exportFilename(found.form_id.toHexString(), format),
      content_type: EXPORT_CONTENT_TYPES[format],
      content: exportContent(format, fields, counted()),
    });
    return { fileId: file._id, rows };
  }
}

const jobIdOf = (exportId: string) => `export.${exportId}`;

function exportInProgress(status?: string): ApiError {
  const what = status ? `An export of this form is ${status}` : 'An export of this form is starting';
  return new ApiError(HttpStatus.CONFLICT, ErrorCode.ExportInProgress, `${what}; one runs at a time per form`);
}
