import { Injectable, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { ApiError, type ErrorDetail } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import { EventDispatcher } from '../events/event-dispatcher.service.js';
import { EventEntities } from '../events/event-entities.js';
import { EventType } from '../events/event-types.js';
import { FilesService } from '../files/files.service.js';
import type { FormField } from '../forms/form-field.js';
import { FormsService } from '../forms/forms.service.js';
import { type ResponseQuery, type ResponseRecord, ResponsesRepository } from './responses.repository.js';
import { checkSubmission } from './submission-validator.js';
import { isDuplicateKeyError } from '../../infrastructure/database/mongo-values.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@Injectable()
export class ResponsesService implements OnModuleInit {
  constructor(
    private readonly responses: ResponsesRepository,
    private readonly forms: FormsService,
    private readonly files: FilesService,
    private readonly events: EventDispatcher,
    private readonly entities: EventEntities,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.ResponseSubmitted, EventType.ResponseUpdated], (ids) =>
      this.responses.changedAt(ids),
    );
  }

  /**
   * Stores a validated response once. Invalid data is refused before anything is written; the form's
   * response slot (quota) is taken next and given back whenever nothing gets stored. A repeated
   * `Idempotency-Key` collides on a unique index, so even concurrent duplicates store and emit one.
   */
  async submit(formId: Types.ObjectId, body: unknown, idempotencyKey?: string): Promise<{ response_id: string }> {
    const data = submittedData(body);
    const dedupKey = idempotencyKey === undefined ? undefined : `key:${checkedIdempotencyKey(idempotencyKey)}`;
    const target = await this.forms.publishedForm(formId);
    await this.assertValid(target.fields, data);
    try {
      await this.forms.takeResponseSlot(formId);
    } catch (error) {
      const replayed =
        dedupKey && ApiError.is(error, ErrorCode.QuotaExceeded) ? await this.replayed(formId, dedupKey) : null;
      if (replayed) return replayed;
      throw error;
    }

    let stored = false;
    try {
      const responseId = new Types.ObjectId();
      const payload = {
        response_id: responseId.toHexString(),
        form_id: formId.toHexString(),
        form_version: target.version,
        data,
      };
      const insert = () =>
        this.insertOnce({
          _id: responseId,
          form_id: formId,
          form_version: target.version,
          data,
          dedup_key: dedupKey ?? `id:${responseId.toHexString()}`,
        });
      const replayed = await this.events.emitWith(
        EventType.ResponseSubmitted,
        payload.response_id,
        payload,
        insert,
        (replay) => replay === null,
      );
      if (replayed) return replayed;
      stored = true;
      return { response_id: responseId.toHexString() };
    } finally {
      if (!stored) await this.forms.releaseSubmission(formId);
    }
  }

  async list(query: ResponseQuery): Promise<Page<ResponseRecord>> {
    await this.forms.get(query.formId);
    return this.responses.list(query);
  }

  stream(formId: Types.ObjectId): AsyncGenerator<ResponseRecord> {
    return this.responses.streamForForm(formId);
  }

  async get(id: Types.ObjectId): Promise<ResponseRecord> {
    const response = await this.responses.findById(id);
    if (!response) throw ApiError.notFound('Response');
    return response;
  }

  /** Re-validates against the version the response was submitted to; `form_version` never changes. */
  async update(id: Types.ObjectId, body: unknown): Promise<ResponseRecord> {
    const data = submittedData(body);
    const current = await this.get(id);
    await this.assertValid(await this.forms.fieldsOfVersion(current.form_id, current.form_version), data);
    const payload = {
      response_id: id.toHexString(),
      form_id: current.form_id.toHexString(),
      form_version: current.form_version,
      data,
    };
    const updated = await this.events.emitWith(
      EventType.ResponseUpdated,
      payload.response_id,
      payload,
      () => this.responses.updateData(id, data),
      (response) => response !== null,
    );
    if (!updated) throw ApiError.notFound('Response');
    return updated;
  }

  private async assertValid(fields: FormField[], data: Record<string, unknown>): Promise<void> {
    const { problems, fileIds } = checkSubmission(fields, data);
    if (fileIds.length) {
      const existing = await this.files.existing(fileIds.map((file) => file.id));
      for (const file of fileIds) {
        if (!existing.has(file.id.toLowerCase()))
          problems.push({ field: file.field, message: 'is not a file of this tenant' });
      }
    }
    if (problems.length) throw ApiError.validation(problems);
  }

  /** Inserts, or answers the response already stored under the same idempotency key. */
  private async insertOnce(response: Omit<ResponseRecord, 'tenant_id' | 'created_at' | 'updated_at'>) {
    try {
      await this.responses.insert(response);
      return null;
    } catch (error) {
      if (!isDuplicateKeyError(error) || !response.dedup_key.startsWith('key:')) throw error;
    }
    const existing = await this.responses.findByDedupKey(response.form_id, response.dedup_key);
    if (existing && Date.now() - existing.created_at.getTime() < IDEMPOTENCY_WINDOW_MS) {
      return { response_id: existing._id.toHexString() };
    }
    // The key was used over 24 hours ago: it names a new submission now.
    if (existing) await this.responses.retireDedupKey(existing);
    await this.responses.insert(response);
    return null;
  }

  private async replayed(formId: Types.ObjectId, dedupKey: string): Promise<{ response_id: string } | null> {
    const existing = await this.responses.findByDedupKey(formId, dedupKey);
    return existing && Date.now() - existing.created_at.getTime() < IDEMPOTENCY_WINDOW_MS
      ? { response_id: existing._id.toHexString() }
      : null;
  }
}

/** The submission body is `{ data: { … } }` and nothing else (checked by hand: this is the hot path). */
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkedIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw ApiError.validation([{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }]);
  }
  return key;
}
