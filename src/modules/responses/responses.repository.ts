import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { afterCursor, NEWEST_FIRST, type Page, toPage } from '../../infrastructure/database/cursor-page.js';
import { GroupCommit } from '../../infrastructure/database/group-commit.js';
import {
  deletionStates,
  lastChanges,
  type LifecycleState,
  lifecycleState,
} from '../../infrastructure/database/last-changes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { FormResponse } from './response.schema.js';

export type ResponseRecord = FormResponse;

/** Submission times to keep, both ends included; an absent end is open. */
export interface SubmittedRange {
  from?: Date;
  to?: Date;
}

/** What an erasure works from: never the data. */
export type ErasureView = Pick<
  ResponseRecord,
  '_id' | 'form_id' | 'created_at' | 'deleted_at' | 'file_ids' | 'released_file_ids' | 'spam'
>;

/** Responses not deleted: the only ones any read outside erasure may see. */
const LIVE = { deleted_at: null };
/** Not spam: responses stored before spam was kept have no `spam` field and are not spam. */
const NOT_SPAM = { spam: { $ne: true } };

export interface ResponseQuery {
  formId: Types.ObjectId;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
  /** Spam only when true; otherwise spam is left out. */
  spam?: boolean;
}

@Injectable()
export class ResponsesRepository {
  /** Submissions arriving together are inserted together, one batch per tenant (the hot path). */
  private readonly inserts = new GroupCommit<ResponseRecord, void>((tenantId, responses) =>
    TenantContext.runForTenant(tenantId, () => this.insertBatch(responses)),
  );

  constructor(@InjectModel(FormResponse.name) private readonly responses: Model<FormResponse>) {}

  /** Rejects with a duplicate-key error (11000) when `dedup_key` was used for this form already. */
  insert(response: Omit<ResponseRecord, 'tenant_id' | 'created_at' | 'updated_at'>): Promise<void> {
    const tenantId = TenantContext.tenantId();
    const now = new Date();
    return this.inserts.submit(tenantId, { ...response, tenant_id: tenantId, created_at: now, updated_at: now });
  }

  /** One outcome per response: inserted, or the error of that response alone (e.g. a duplicate key). */
  private async insertBatch(responses: ResponseRecord[]): Promise<(void | Error)[]> {
    const outcomes: (void | Error)[] = responses.map(() => undefined);
    try {
      // Lean: the documents are built and validated by the service; casting them again costs time.
      await this.responses.insertMany(responses, { ordered: false, lean: true });
    } catch (error) {
      const { writeErrors } = error as { writeErrors?: { index: number; code?: number; errmsg?: string }[] };
      if (!writeErrors?.length) throw error;
      for (const failed of writeErrors) {
        outcomes[failed.index] = Object.assign(new Error(failed.errmsg ?? 'insert failed'), { code: failed.code });
      }
    }
    return outcomes;
  }

  /** When each of these responses last changed (other tenants' and missing ones are left out). */
  changedAt(ids: string[]): Promise<Map<string, Date>> {
    return lastChanges(this.responses, ids);
  }

  lifecycleState(id: Types.ObjectId): Promise<LifecycleState> {
    return lifecycleState(this.responses, id);
  }

  /** Whether and when each of these responses was deleted (erased ones are left out). */
  deletedAt(ids: string[]): Promise<Map<string, Date | null>> {
    return deletionStates(this.responses, ids);
  }

  findByDedupKey(formId: Types.ObjectId, dedupKey: string): Promise<ResponseRecord | null> {
    return this.responses.findOne({ form_id: formId, dedup_key: dedupKey }).lean<ResponseRecord>();
  }

  /** Frees an expired idempotency key for reuse; the response itself stays. */
  async retireDedupKey(response: ResponseRecord): Promise<void> {
    await this.responses.updateOne(
      { _id: response._id, dedup_key: response.dedup_key },
      { $set: { dedup_key: `id:${response._id.toHexString()}` } },
      { timestamps: false },
    );
  }

  /** Every response of a form, oldest first, read in batches: memory stays flat however many. */
  /** Oldest first; within `range` (created_at at or after `from`, at or before `to`) when given. */
  async *streamForForm(formId: Types.ObjectId, range: SubmittedRange = {}): AsyncGenerator<ResponseRecord> {
    const createdAt: Record<string, Date> = {};
    if (range.from) createdAt.$gte = range.from;
    if (range.to) createdAt.$lte = range.to;
    yield* this.responses
      .find({ form_id: formId, ...LIVE, ...NOT_SPAM, ...(range.from || range.to ? { created_at: createdAt } : {}) })
      .sort({ created_at: 1, _id: 1 })
      .lean<ResponseRecord[]>()
      .cursor({ batchSize: 500 });
  }

  findById(id: Types.ObjectId): Promise<ResponseRecord | null> {
    return this.responses.findOne({ _id: id, ...LIVE }).lean<ResponseRecord>();
  }

  /** These responses whether or not they are deleted (without their data): what an erasure works from. */
  findManyForErasure(ids: Types.ObjectId[]): Promise<ErasureView[]> {
    return this.responses
      .find(
        { _id: { $in: ids } },
        { form_id: 1, created_at: 1, deleted_at: 1, file_ids: 1, released_file_ids: 1, spam: 1 },
      )
      .lean<ErasureView[]>();
  }

  /** The files a `PATCH` dropped from the response (deleted or not), with its form; null when none. */
  async releasedFiles(id: Types.ObjectId): Promise<Pick<ResponseRecord, 'form_id' | 'released_file_ids'> | null> {
    const found = await this.responses
      .findOne({ _id: id, released_file_ids: { $exists: true } }, { form_id: 1, released_file_ids: 1 })
      .lean<Pick<ResponseRecord, 'form_id' | 'released_file_ids'>>();
    return found?.released_file_ids?.length ? found : null;
  }

  /** Forgets dropped files once erased (or found named again); the field goes when none is left. */
  async forgetReleased(id: Types.ObjectId, fileIds: Types.ObjectId[]): Promise<void> {
    await this.responses.updateOne({ _id: id }, { $pullAll: { released_file_ids: fileIds } }, { timestamps: false });
    await this.responses.updateOne(
      { _id: id, released_file_ids: { $size: 0 } },
      { $unset: { released_file_ids: 1 } },
      { timestamps: false },
    );
  }

  /** Up to `limit` ids of responses changed before `cutoff` whose dropped files wait for erasure (a lost job). */
  idsWithReleasedFilesBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.idsWhere({ released_file_ids: { $exists: true }, updated_at: { $lt: cutoff } }, limit);
  }

  /**
   * Marks those not deleted yet as deleted (retention, a deleted form's responses); with `spamOnly`,
   * only those still spam (one marked not spam since it was picked stays).
   */
  async markManyDeleted(ids: Types.ObjectId[], spamOnly = false): Promise<void> {
    const filter = { _id: { $in: ids }, ...LIVE, ...(spamOnly ? { spam: true } : {}) };
    await this.responses.updateMany(filter, { $set: { deleted_at: new Date() } });
  }

  /**
   * Spam becomes a response (`spam: false`); null when it is not live spam (not spam, deleted, missing).
   * Callers hold the response's lock: the local store's updates are not atomic, so two calls at once
   * could both see `spam: true` here.
   */
  markNotSpam(id: Types.ObjectId): Promise<ResponseRecord | null> {
    return this.responses
      .findOneAndUpdate({ _id: id, ...LIVE, spam: true }, { $set: { spam: false } }, { returnDocument: 'after' })
      .lean<ResponseRecord>();
  }

  /** Marks it deleted (404 from now on); null when there is no such live response. */
  markDeleted(id: Types.ObjectId): Promise<ResponseRecord | null> {
    return this.responses
      .findOneAndUpdate({ _id: id, ...LIVE }, { $set: { deleted_at: new Date() } }, { returnDocument: 'after' })
      .lean<ResponseRecord>();
  }

  /** Removes them for good; answers how many were still there. */
  async removeMany(ids: Types.ObjectId[]): Promise<number> {
    return (await this.responses.deleteMany({ _id: { $in: ids } })).deletedCount;
  }

  /** Whether a response not in `except` names the file (within `formId` when the file is bound to one). */
  async namesFile(fileId: Types.ObjectId, except: Types.ObjectId[], formId: Types.ObjectId | null): Promise<boolean> {
    const filter = { file_ids: fileId, _id: { $nin: except }, ...(formId ? { form_id: formId } : {}) };
    return (await this.responses.exists(filter)) !== null;
  }

  /** Up to `limit` ids of the form's responses, deleted ones included (the form's erasure). */
  idsOfForm(formId: Types.ObjectId, limit: number): Promise<Types.ObjectId[]> {
    return this.idsWhere({ form_id: formId }, limit);
  }

  /** Up to `limit` ids of responses created before `cutoff`, oldest first (retention). */
  idsCreatedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.idsWhere({ created_at: { $lt: cutoff } }, limit, { created_at: 1 });
  }

  /** Up to `limit` ids of spam created before `cutoff`, oldest first (spam retention). */
  idsOfSpamCreatedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.idsWhere({ spam: true, created_at: { $lt: cutoff } }, limit, { created_at: 1 });
  }

  /** Up to `limit` ids of deleted responses whose erasure has not finished (a lost job). */
  idsDeletedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.idsWhere({ deleted_at: { $lt: cutoff } }, limit);
  }

  private async idsWhere(
    filter: Record<string, unknown>,
    limit: number,
    sort: Record<string, 1> = {},
  ): Promise<Types.ObjectId[]> {
    const rows = await this.responses
      .find(filter, { _id: 1 })
      .sort(sort)
      .limit(limit)
      .lean<{ _id: Types.ObjectId }[]>();
    return rows.map((row) => row._id);
  }

  async list(query: ResponseQuery): Promise<Page<ResponseRecord>> {
    const createdAt: Record<string, Date> = {};
    if (query.from) createdAt.$gte = query.from;
    if (query.to) createdAt.$lte = query.to;
    const filter = {
      form_id: query.formId,
      ...LIVE,
      ...(query.spam ? { spam: true } : NOT_SPAM),
      ...(query.from || query.to ? { created_at: createdAt } : {}),
      ...afterCursor(query.cursor),
    };
    const rows = await this.responses
      .find(filter)
      .sort(NEWEST_FIRST)
      .limit(query.limit + 1)
      .lean<ResponseRecord[]>();
    return toPage(rows, query.limit);
  }

  /** New data and files; `released` (files the old data named, the new does not) wait for their erasure. */
  updateData(
    id: Types.ObjectId,
    data: Record<string, unknown>,
    fileIds: Types.ObjectId[] | undefined,
    released: Types.ObjectId[] = [],
  ): Promise<ResponseRecord | null> {
    const files = fileIds ? { $set: { data, file_ids: fileIds } } : { $set: { data }, $unset: { file_ids: 1 } };
    const release = released.length ? { $addToSet: { released_file_ids: { $each: released } } } : {};
    return this.responses
      .findOneAndUpdate({ _id: id, ...LIVE }, { ...files, ...release }, { returnDocument: 'after' })
      .lean<ResponseRecord>();
  }
}
