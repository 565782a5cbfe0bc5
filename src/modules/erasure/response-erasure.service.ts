import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { drainInBatches } from '../../infrastructure/database/drain-in-batches.js';
import { AuditLogService } from '../events/index.js';
import { ExportsService } from '../exports/index.js';
import { ResponseFilesService } from '../files/index.js';
import { type ErasedResponse, ResponsesService } from '../responses/index.js';
import { ERASURE_TARGETS, type ErasureTarget } from './erasure-targets.js';

/**
 * An export of the form that started before the response was deleted is being written and may hold
 * it: the erasure stops before the response's document goes and is retried (the daily run finishes it
 * at the latest). Exports started after the deletion never hold it back.
 */
export class ExportRunningError extends Error {}

/** How a batch is erased: marked deleted first (retention, one response), and whether exports are looked at. */
interface BatchOptions {
  markFirst: boolean;
  /** Spam retention: only responses still spam are marked and erased (one marked not spam meanwhile stays). */
  spamOnly?: boolean;
  /** A deleted form's exports are all erased after its responses: no need to look at each. */
  exports: boolean;
}

/**
 * The erasure of responses: every place a response's data was copied to, in the current tenant,
 * through each feature's tenant-scoped service. One batch goes in steps that can each be repeated
 * after a crash (a rerun finds what is left), each one write for the whole batch:
 * 1. mark them deleted, unless they are (from then on nothing reads or changes them);
 * 2. the audit log: their data leaves their events' payloads (the envelopes stay, `redacted`); webhook
 *    jobs read the envelope when they deliver, email jobs read the response when they send, so no
 *    queued job keeps a copy;
 * 3. export files that may hold them: those of their forms' exports that started before they were
 *    deleted and completed since they were created (the export answers `410 export_expired`); such a
 *    run still under way fails the erasure, to retry (`ExportsService.eraseFilesThatMayHold`);
 * 4. files they named (or a `PATCH` dropped) that no other response names;
 * 5. every extra `ErasureTarget` (erasure-targets.ts);
 * 6. the documents, and their slots back to their forms' quotas.
 */
@Injectable()
export class ResponseErasureService {
  private readonly logger = new Logger(ResponseErasureService.name);
  private readonly batchSize: number;

  constructor(
    private readonly responses: ResponsesService,
    private readonly auditLog: AuditLogService,
    private readonly exports: ExportsService,
    private readonly files: ResponseFilesService,
    @Inject(ERASURE_TARGETS) private readonly targets: ErasureTarget[],
    config: AppConfigService,
  ) {
    this.batchSize = config.erasure.batchSize;
  }

  /** One response (deleted or not); false when there was nothing to erase. */
  async eraseOne(id: Types.ObjectId): Promise<boolean> {
    return (await this.eraseBatch([id], { markFirst: true, exports: true })) === 1;
  }

  /** Every response of a deleted form, a batch at a time; `afterBatch` runs after each. */
  eraseAllOfForm(formId: Types.ObjectId, afterBatch?: (erased: number) => Promise<void>): Promise<number> {
    return this.eraseBatches(
      () => this.responses.idsOfForm(formId, this.batchSize),
      { markFirst: false, exports: false },
      afterBatch,
    );
  }

  /** Retention: the tenant's responses created before `cutoff`, oldest first. */
  eraseCreatedBefore(cutoff: Date): Promise<number> {
    return this.eraseBatches(() => this.responses.idsCreatedBefore(cutoff, this.batchSize), {
      markFirst: true,
      exports: true,
    });
  }

  /**
   * Spam retention: the tenant's spam created before `cutoff`, oldest first. Spam is in no export
   * (exports leave it out), so no export is looked at.
   */
  eraseSpamCreatedBefore(cutoff: Date): Promise<number> {
    return this.eraseBatches(() => this.responses.idsOfSpamCreatedBefore(cutoff, this.batchSize), {
      markFirst: true,
      spamOnly: true,
      exports: false,
    });
  }

  /** Erasures cut short: responses deleted before `cutoff` but still stored. */
  eraseDeletedBefore(cutoff: Date): Promise<number> {
    return this.eraseBatches(() => this.responses.idsDeletedBefore(cutoff, this.batchSize), {
      markFirst: false,
      exports: true,
    });
  }

  /**
   * The files a `PATCH` dropped from a response that no response names now (one named again meanwhile
   * stays), then forgotten. Answers how many files were erased. Runs under the response's lock, as a
   * `PATCH` does: a `PATCH` that drops a file again between this check and the forgetting would
   * otherwise have it forgotten unerased.
   */
  eraseReleasedFiles(id: Types.ObjectId): Promise<number> {
    return this.responses.exclusively(id, async () => {
      const found = await this.responses.releasedFiles(id);
      if (!found?.released_file_ids) return 0;
      const released = found.released_file_ids;
      const erased = await this.files.eraseUnlessNamed(released, (fileId, formId) =>
        this.responses.namesFile(fileId, [], formId),
      );
      await this.responses.forgetReleasedFiles(id, released);
      return erased;
    });
  }

  /** Dropped files whose erasure job was lost: responses changed before `cutoff`. Answers how many responses. */
  eraseReleasedFilesBefore(cutoff: Date): Promise<number> {
    return drainInBatches(
      () => this.responses.idsWithReleasedFilesBefore(cutoff, this.batchSize),
      async (batch) => {
        for (const id of batch) await this.eraseReleasedFiles(id);
        return batch.length;
      },
    );
  }

  private eraseBatches(
    nextBatch: () => Promise<Types.ObjectId[]>,
    options: BatchOptions,
    afterBatch?: (erased: number) => Promise<void>,
  ): Promise<number> {
    let erased = 0;
    return drainInBatches(nextBatch, async (batch) => {
      const count = await this.eraseBatch(batch, options);
      erased += count;
      await afterBatch?.(erased);
      return count;
    });
  }

  /** The steps of the class comment, for one batch; answers how many documents went. */
  private async eraseBatch(ids: Types.ObjectId[], options: BatchOptions): Promise<number> {
    // Marked before they are read: a PATCH can change no file of a deleted response, so what is read is final.
    if (options.markFirst) await this.responses.markManyDeleted(ids, options.spamOnly);
    const views = await this.responses.erasureViews(ids);
    // Spam marked not spam since it was picked was not marked deleted above: it stays.
    const found = options.spamOnly ? views.filter((response) => response.deleted_at) : views;
    if (found.length === 0) return 0;
    const foundIds = found.map((response) => response._id);
    // Those marked deleted above (or before) were deleted at the latest now.
    const markedBy = new Date();
    await this.auditLog.redactEntities(foundIds.map((id) => id.toHexString()));
    if (options.exports) await this.eraseExportsHolding(found, markedBy);
    await this.files.eraseUnlessNamed(
      found.flatMap((response) => [...(response.file_ids ?? []), ...(response.released_file_ids ?? [])]),
      (fileId, formId) => this.responses.namesFile(fileId, foundIds, formId),
    );
    for (const target of this.targets) {
      const erased = await target.eraseResponses?.(found);
      if (erased) this.logger.log({ msg: 'response copies erased', target: target.name, erased });
    }
    return this.responses.removeErased(found);
  }

  /**
   * Step 3: per form, the exports that started before its latest deletion of the batch and completed
   * since its earliest response of the batch was created.
   */
  private async eraseExportsHolding(responses: ErasedResponse[], markedBy: Date): Promise<void> {
    const byForm = new Map<string, { formId: Types.ObjectId; createdAt: Date; deletedAt: Date }>();
    for (const response of responses) {
      const deletedAt = response.deleted_at ?? markedBy;
      const seen = byForm.get(response.form_id.toHexString());
      byForm.set(response.form_id.toHexString(), {
        formId: response.form_id,
        createdAt: seen && seen.createdAt < response.created_at ? seen.createdAt : response.created_at,
        deletedAt: seen && seen.deletedAt > deletedAt ? seen.deletedAt : deletedAt,
      });
    }
    for (const { formId, createdAt, deletedAt } of byForm.values()) {
      const { erased, running } = await this.exports.eraseFilesThatMayHold(formId, { createdAt, deletedAt });
      if (erased)
        this.logger.log({ msg: 'export files erased with a response', form_id: formId.toHexString(), erased });
      if (running) throw new ExportRunningError(`An export of form ${formId.toHexString()} is running; retrying later`);
    }
  }
}
