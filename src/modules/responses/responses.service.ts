import { Injectable, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { hasRole } from '../../infrastructure/auth/roles.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError, type ErrorDetail } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { Metrics } from '../../infrastructure/metrics/metrics.js';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import { EventDispatcherService } from '../events/event-dispatcher.service.js';
import { EventEntitiesService } from '../events/event-entities.service.js';
import { EventType } from '../events/event.types.js';
import { ResponseFilesService } from '../files/response-files.service.js';
import type { FormField } from '../forms/form-field.types.js';
import { FormsService } from '../forms/forms.service.js';
import { type SubmissionTarget, SubmissionTargetsService } from '../forms/submission-targets.service.js';
import {
  type ErasureView,
  type ResponseQuery,
  type ResponseRecord,
  ResponsesRepository,
} from './responses.repository.js';
import type { LifecycleState } from '../../infrastructure/database/last-changes.js';
import { isDuplicateKeyError, toObjectIds } from '../../infrastructure/database/mongo-values.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** What `POST /forms/:form_id/submit` answers. */
export interface Submitted {
  response_id: string;
}

interface Submission {
  data: Record<string, unknown>;
  /** `key:<Idempotency-Key>` when the client sent one. */
  dedupKey?: string;
}

/** The files a response's data names, once validated; undefined when it names none. */
type NamedFiles = Types.ObjectId[] | undefined;

/** What the steps of an erasure are told of each response being erased (never its data). */
export type ErasedResponse = ErasureView;

/** The response a submission ended with, and whether this submission stored it. */
interface Stored extends Submitted {
  isNew: boolean;
}

@Injectable()
export class ResponsesService implements OnModuleInit {
  constructor(
    private readonly responses: ResponsesRepository,
    private readonly forms: FormsService,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly files: ResponseFilesService,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
    private readonly metrics: Metrics,
    private readonly lock: StoreLock,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.ResponseSubmitted, EventType.ResponseUpdated], (ids) =>
      this.responses.changedAt(ids),
    );
    this.entities.registerDeletion([EventType.ResponseDeleted], (ids) => this.responses.deletedAt(ids));
  }

  /**
   * Stores a validated response once, in five steps: parse the body → find the published form →
   * drop a bot's submission (honeypot) → validate the data against it → store the response with its
   * `response.submitted` event, having taken one of the form's response slots (its quota) while the
   * event was being stored. Invalid data writes nothing. A repeated `Idempotency-Key` collides on a
   * unique index, so even concurrent duplicates store and emit one.
   */
  async submit(formId: Types.ObjectId, body: unknown, idempotencyKey?: string): Promise<Submitted> {
    const submission = parseSubmission(body, idempotencyKey);
    const form = await this.submissionTargets.publishedForm(formId);
    if (caughtByHoneypot(form, submission.data)) {
      this.metrics.submissionDropped('honeypot');
      return { response_id: new Types.ObjectId().toHexString() };
    }
    return this.withValidData(form.form_id, form.fields, submission.data, (files) =>
      this.storeWithEvent(form, submission, files),
    );
  }

  /**
   * Inserts the response under its event, once a slot is taken. The slot is given back whenever
   * nothing new was stored: the key was a replay of an earlier response, or the write failed. A full
   * form still answers a known key with its response.
   */
  private async storeWithEvent(form: SubmissionTarget, submission: Submission, files: NamedFiles): Promise<Submitted> {
    const responseId = new Types.ObjectId();
    const response_id = responseId.toHexString();
    let slotTaken = false;
    const releaseSlot = () =>
      slotTaken ? this.submissionTargets.releaseResponseSlot(form.form_id) : Promise.resolve();
    try {
      const outcome = await this.events.emitWith({
        type: EventType.ResponseSubmitted,
        entityId: response_id,
        payload: {
          response_id,
          form_id: form.form_id.toHexString(),
          form_version: form.version,
          data: submission.data,
        },
        alongside: async () => {
          await this.submissionTargets.takeResponseSlot(form.form_id);
          slotTaken = true;
        },
        write: () =>
          this.insertOnce({
            _id: responseId,
            form_id: form.form_id,
            form_version: form.version,
            data: submission.data,
            dedup_key: submission.dedupKey ?? `id:${response_id}`,
            ...(files ? { file_ids: files } : {}),
          }),
        happened: (stored) => stored.isNew,
      });
      if (!outcome.isNew) await releaseSlot();
      return { response_id: outcome.response_id };
    } catch (error) {
      await releaseSlot();
      const replay =
        submission.dedupKey && ApiError.is(error, ErrorCode.QuotaExceeded)
          ? await this.replayed(form.form_id, submission.dedupKey)
          : null;
      if (replay) return replay;
      throw error;
    }
  }

  async list(query: ResponseQuery): Promise<Page<ResponseRecord>> {
    await this.forms.get(query.formId);
    return this.responses.list(query);
  }

  stream(formId: Types.ObjectId): AsyncGenerator<ResponseRecord> {
    return this.responses.streamForForm(formId);
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
      const fields = await this.forms.fieldsOfVersion(current.form_id, current.form_version);
      const payload = {
        response_id: id.toHexString(),
        form_id: current.form_id.toHexString(),
        form_version: current.form_version,
        data,
      };
      const updated = await this.withValidData(current.form_id, fields, data, (files) =>
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

  /** Marks those not deleted yet as deleted: nothing reads or changes them from now on. */
  markManyDeleted(ids: Types.ObjectId[]): Promise<void> {
    return this.responses.markManyDeleted(ids);
  }

  /** Whether a response not in `except` names the file (within `formId` when the file is bound to one). */
  namesFile(fileId: Types.ObjectId, except: Types.ObjectId[], formId: Types.ObjectId | null): Promise<boolean> {
    return this.responses.namesFile(fileId, except, formId);
  }

  /** Removes the documents for good and gives their slots back to their forms' quotas; answers how many went. */
  async removeErased(responses: ErasedResponse[]): Promise<number> {
    const removed = await this.responses.removeMany(responses.map((response) => response._id));
    // A rerun after a crash between the two steps finds fewer: their slots were given back already.
    if (removed === responses.length) {
      await Promise.all(responses.map((response) => this.submissionTargets.releaseResponseSlot(response.form_id)));
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

  /** Up to `limit` ids of responses deleted before `cutoff` and still stored (an erasure cut short). */
  idsDeletedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.responses.idsDeletedBefore(cutoff, limit);
  }

  /** Up to `limit` ids of responses changed before `cutoff` whose dropped files still wait (a lost job). */
  idsWithReleasedFilesBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.responses.idsWithReleasedFilesBefore(cutoff, limit);
  }

  /**
   * Checks the data against the fields, then runs `store` with the files it names. A file value must
   * name a file this form may use, as its sender may name it (`ResponseFilesService.usableIn`): a sender
   * whose role may upload files (editor and up) also the tenant's own uploads, anyone else (a viewer,
   * an anonymous visitor) only uploads to this form; never an export's file. Any other file answers
   * like a missing one. The check, marking the files used (so the sweep of unused uploads leaves
   * them) and `store` run while none of them can be erased (`ResponseFilesService.whileNamed`).
   */
  private async withValidData<T>(
    formId: Types.ObjectId,
    fields: FormField[],
    data: Record<string, unknown>,
    store: (files: NamedFiles) => Promise<T>,
  ): Promise<T> {
    const { problems, fileIds } = this.submissionTargets.checkData(fields, data);
    const ids = fileIds.map((file) => file.id);
    if (!ids.length) {
      if (problems.length) throw ApiError.validation(problems);
      return store(undefined);
    }
    return this.files.whileNamed(ids, async () => {
      const unboundUploads = hasRole(TenantContext.actor()?.role ?? '', 'editor');
      const usable = await this.files.usableIn(formId, ids, unboundUploads);
      for (const file of fileIds) {
        if (!usable.has(file.id.toLowerCase()))
          problems.push({ field: file.field, message: 'is not a file of this tenant' });
      }
      if (problems.length) throw ApiError.validation(problems);
      await this.files.markUsed(formId, ids);
      return store(toObjectIds(ids));
    });
  }

  /** Inserts, or answers the response already stored under the same idempotency key. */
  private async insertOnce(response: Omit<ResponseRecord, 'tenant_id' | 'created_at' | 'updated_at'>): Promise<Stored> {
    const inserted: Stored = { response_id: response._id.toHexString(), isNew: true };
    try {
      await this.responses.insert(response);
      return inserted;
    } catch (error) {
      if (!isDuplicateKeyError(error) || !response.dedup_key.startsWith('key:')) throw error;
    }
    const existing = await this.responses.findByDedupKey(response.form_id, response.dedup_key);
    if (existing && Date.now() - existing.created_at.getTime() < IDEMPOTENCY_WINDOW_MS) {
      return { response_id: existing._id.toHexString(), isNew: false };
    }
    // The key was used over 24 hours ago: it names a new submission now.
    if (existing) await this.responses.retireDedupKey(existing);
    await this.responses.insert(response);
    return inserted;
  }

  private async replayed(formId: Types.ObjectId, dedupKey: string): Promise<Submitted | null> {
    const existing = await this.responses.findByDedupKey(formId, dedupKey);
    return existing && Date.now() - existing.created_at.getTime() < IDEMPOTENCY_WINDOW_MS
      ? { response_id: existing._id.toHexString() }
      : null;
  }
}

/** The files `before` named that `after` does not. */
function dropped(before: Types.ObjectId[] | undefined, after: NamedFiles): Types.ObjectId[] {
  const kept = new Set((after ?? []).map((id) => id.toHexString()));
  return (before ?? []).filter((id) => !kept.has(id.toHexString()));
}

/** Step one: the body is `{ data: { … } }` and nothing else (checked by hand: this is the hot path). */
function parseSubmission(body: unknown, idempotencyKey: string | undefined): Submission {
  return {
    data: submittedData(body),
    dedupKey: idempotencyKey === undefined ? undefined : `key:${checkedIdempotencyKey(idempotencyKey)}`,
  };
}

function submittedData(body: unknown): Record<string, unknown> {
  const problems: ErrorDetail[] = [];
  if (!isPlainObject(body)) throw ApiError.validation([{ field: 'body', message: 'must be a JSON object' }]);
  for (const key of Object.keys(body)) {
    if (key !== 'data') problems.push({ field: key, message: `property ${key} should not exist` });
  }
  if (!isPlainObject(body.data)) problems.push({ field: 'data', message: 'must be an object of field values' });
  if (problems.length) throw ApiError.validation(problems);
  return body.data as Record<string, unknown>;
}

/**
 * A filled honeypot (a hidden input people never see) marks a bot: it gets the same 201 with an id
 * that names nothing, so it cannot tell; nothing is stored or sent. An empty one is dropped.
 */
function caughtByHoneypot(form: SubmissionTarget, data: Record<string, unknown>): boolean {
  const honeypot = form.honeypot_field;
  if (!honeypot || !Object.hasOwn(data, honeypot)) return false;
  const value = data[honeypot];
  delete data[honeypot];
  return value !== undefined && value !== null && value !== '' && value !== false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkedIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw ApiError.validation([{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }]);
  }
  return key;
}
