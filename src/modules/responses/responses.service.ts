import { Injectable, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import type { LifecycleState } from '../../infrastructure/database/last-changes.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService, EventEntitiesService, EventType } from '../events/index.js';
import { FormsService, FormVersionsService, SubmissionTargetsService } from '../forms/index.js';
import { type NamedFiles, ResponseDataChecker, submittedData } from './response-data-checker.js';
import {
  type ErasureView,
  type ResponseQuery,
  type ResponseRecord,
  type SubmittedRange,
  ResponsesRepository,
} from './responses.repository.js';

/** What the steps of an erasure are told of each response being erased (never its data). */
export type ErasedResponse = ErasureView;

/**
 * Responses as members see them: listed, read, replaced (`PATCH`) and deleted, and what the erasure
 * module and other features read of them. A visitor's submission is `SubmissionService`'s.
 */
@Injectable()
export class ResponsesService implements OnModuleInit {
  constructor(
    private readonly responses: ResponsesRepository,
    private readonly forms: FormsService,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly formVersions: FormVersionsService,
    private readonly dataChecker: ResponseDataChecker,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
    private readonly lock: StoreLock,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.ResponseSubmitted, EventType.ResponseUpdated], (ids) =>
      this.responses.changedAt(ids),
    );
    this.entities.registerDeletion([EventType.ResponseDeleted], (ids) => this.responses.deletedAt(ids));
  }

  async list(query: ResponseQuery): Promise<Page<ResponseRecord>> {
    await this.forms.get(query.formId);
    return this.responses.list(query);
  }

  stream(formId: Types.ObjectId, range?: SubmittedRange): AsyncGenerator<ResponseRecord> {
    return this.responses.streamForForm(formId, range);
  }

  /** A live response of a live form: a deleted form's responses answer 404 before their erasure reaches them. */
  async get(id: Types.ObjectId): Promise<ResponseRecord> {
    const response = await this.responses.findById(id);
    if (!response || !(await this.forms.find(response.form_id))) throw ApiError.notFound('Response');
    return response;
  }

  /**
   * Re-validates against the version the response was submitted to; `form_version` never changes.
   * Files the new data no longer names are recorded as released; `response.updated` starts the
   * erasure of those no other response names. Read, check and write run under the response's lock
   * (`exclusively`): two PATCHes at once would otherwise each compute what they drop from the same
   * read, and a file the first one named and the second one replaced would be neither named nor
   * released, kept for ever.
   */
  async update(id: Types.ObjectId, body: unknown): Promise<ResponseRecord> {
    const data = submittedData(body);
    return this.exclusively(id, async () => {
      const current = await this.get(id);
      const fields = await this.formVersions.fieldsOfVersion(current.form_id, current.form_version);
      const payload = {
        response_id: id.toHexString(),
        form_id: current.form_id.toHexString(),
        form_version: current.form_version,
        data,
      };
      const updated = await this.dataChecker.withValidData(current.form_id, fields, data, (files) =>
        this.events.emitWith({
          type: EventType.ResponseUpdated,
          entityId: payload.response_id,
          payload,
          write: () => this.responses.updateData(id, data, files, dropped(current.file_ids, files)),
          happened: (response) => response !== null,
        }),
      );
      if (!updated) throw ApiError.notFound('Response');
      return updated;
    });
  }

  /**
   * Runs `work` while no other change of the response's files runs, on any replica: a `PATCH`, or
   * the erasure of the files a `PATCH` dropped (a store lock: an insert on a unique key, atomic on
   * MongoDB and the local store alike). Held past the wait: `503`, to retry.
   */
  async exclusively<T>(id: Types.ObjectId, work: () => Promise<T>): Promise<T> {
    try {
      return await this.lock.withLock(`responses:${TenantContext.tenantId()}:${id.toHexString()}`, work);
    } catch (error) {
      if (error instanceof LockBusyError) throw ApiError.unavailable('The response is being changed; retry shortly');
      throw error;
    }
  }

  /**
   * 404 from now on; its erasure (events, files, the document) follows in the background, started by
   * `response.deleted`, which webhook subscribers also get (without data) so their copies can follow.
   */
  async delete(id: Types.ObjectId): Promise<void> {
    const current = await this.get(id);
    const deleted = await this.events.emitWith({
      type: EventType.ResponseDeleted,
      entityId: id.toHexString(),
      payload: {
        response_id: id.toHexString(),
        form_id: current.form_id.toHexString(),
        form_version: current.form_version,
      },
      write: () => this.responses.markDeleted(id),
      happened: (response) => response !== null,
    });
    if (!deleted) throw ApiError.notFound('Response');
  }

  /** The response unless it is deleted (or erased, or never was): what a job reads when it runs. */
  findLive(id: Types.ObjectId): Promise<ResponseRecord | null> {
    return this.responses.findById(id);
  }

  /** Whether the response is live, deleted and waiting for its erasure, or gone (erased or never there). */
  lifecycleState(id: Types.ObjectId): Promise<LifecycleState> {
    return this.responses.lifecycleState(id);
  }

  // What an erasure works with (the erasure module runs the steps: src/modules/erasure/): never the data.

  /** These responses, deleted or not, without their data. */
  erasureViews(ids: Types.ObjectId[]): Promise<ErasedResponse[]> {
    return this.responses.findManyForErasure(ids);
  }

  /**
   * Marks those not deleted yet as deleted: nothing reads or changes them from now on. With
   * `spamOnly`, only those still spam (spam retention: one marked not spam meanwhile stays).
   */
  markManyDeleted(ids: Types.ObjectId[], spamOnly = false): Promise<void> {
    return this.responses.markManyDeleted(ids, spamOnly);
  }

  /** Whether a response not in `except` names the file (within `formId` when the file is bound to one). */
  namesFile(fileId: Types.ObjectId, except: Types.ObjectId[], formId: Types.ObjectId | null): Promise<boolean> {
    return this.responses.namesFile(fileId, except, formId);
  }

  /**
   * Removes the documents for good and gives their slots back to their forms' quotas (spam holds
   * none); answers how many went.
   */
  async removeErased(responses: ErasedResponse[]): Promise<number> {
    const removed = await this.responses.removeMany(responses.map((response) => response._id));
    // A rerun after a crash between the two steps finds fewer: their slots were given back already.
    if (removed === responses.length) {
      const holdingSlots = responses.filter((response) => response.spam !== true);
      await Promise.all(holdingSlots.map((response) => this.submissionTargets.releaseResponseSlot(response.form_id)));
    }
    return removed;
  }

  /** The files a `PATCH` dropped from the response (deleted or not), with its form; null when none. */
  releasedFiles(id: Types.ObjectId): Promise<Pick<ResponseRecord, 'form_id' | 'released_file_ids'> | null> {
    return this.responses.releasedFiles(id);
  }

  /** Forgets dropped files once they were erased (or found named again). */
  forgetReleasedFiles(id: Types.ObjectId, fileIds: Types.ObjectId[]): Promise<void> {
    return this.responses.forgetReleased(id, fileIds);
  }

  /** Up to `limit` ids of the form's responses, deleted ones included (the form's erasure). */
  idsOfForm(formId: Types.ObjectId, limit: number): Promise<Types.ObjectId[]> {
    return this.responses.idsOfForm(formId, limit);
  }

  /** Up to `limit` ids of responses created before `cutoff`, oldest first (retention). */
  idsCreatedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.responses.idsCreatedBefore(cutoff, limit);
  }

  /** Up to `limit` ids of spam created before `cutoff`, oldest first (spam retention). */
  idsOfSpamCreatedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.responses.idsOfSpamCreatedBefore(cutoff, limit);
  }

  /** Up to `limit` ids of responses deleted before `cutoff` and still stored (an erasure cut short). */
  idsDeletedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.responses.idsDeletedBefore(cutoff, limit);
  }

  /** Up to `limit` ids of responses changed before `cutoff` whose dropped files still wait (a lost job). */
  idsWithReleasedFilesBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.responses.idsWithReleasedFilesBefore(cutoff, limit);
  }
}

/** The files `before` named that `after` does not. */
function dropped(before: Types.ObjectId[] | undefined, after: NamedFiles): Types.ObjectId[] {
  const kept = new Set((after ?? []).map((id) => id.toHexString()));
  return (before ?? []).filter((id) => !kept.has(id.toHexString()));
}
