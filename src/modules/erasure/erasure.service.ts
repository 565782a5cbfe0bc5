import { Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { EventsService } from '../events/events.service.js';
import { ExportsService } from '../exports/exports.service.js';
import { FilesService } from '../files/files.service.js';
import { FormsService } from '../forms/forms.service.js';
import { type ErasedResponse, ResponsesService } from '../responses/responses.service.js';
import { UsersService } from '../users/users.service.js';
import type { ErasureOutcome } from './erasure.types.js';

/** Thrown when asked to erase something that was never deleted: a bug, never retried. */
export class NotDeletedError extends Error {}

/**
 * An export of the form is being written and may hold a response being erased: the erasure stops
 * before the response's document goes and is retried (the daily run finishes it at the latest).
 */
export class ExportRunningError extends Error {}

/**
 * Erases deleted responses and forms in the current tenant, through each feature's tenant-scoped
 * service. Every step can be repeated: a job killed at any point and run again finishes the work.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);
  private readonly batchSize: number;
  /** A run that started longer ago than a job may last has ended (or was stopped): it writes nothing. */
  private readonly jobTimeoutMs: number;

  constructor(
    private readonly responses: ResponsesService,
    private readonly forms: FormsService,
    private readonly files: FilesService,
    private readonly exports: ExportsService,
    private readonly users: UsersService,
    private readonly auditLog: EventsService,
    config: AppConfigService,
  ) {
    this.batchSize = config.erasure.batchSize;
    this.jobTimeoutMs = config.queue.jobTimeoutMs;
  }

  async eraseResponse(id: Types.ObjectId): Promise<ErasureOutcome> {
    if ((await this.responses.lifecycleState(id)) === 'live') {
      throw new NotDeletedError(`Response ${id.toHexString()} is not deleted; refusing to erase it`);
    }
    const erased = await this.responses.erase(id, (found) => this.eraseExportsHolding(found));
    this.logger.log({ msg: 'response erased', response_id: id.toHexString(), erased });
    return { responses: erased ? 1 : 0, exports: 0, files: 0, form: false };
  }

  /** A removed member's name and email, from the audit log's payloads (the envelopes stay, `redacted`). */
  async eraseMember(userId: string): Promise<ErasureOutcome> {
    if (await this.users.exists(userId)) {
      throw new NotDeletedError(`User ${userId} is still a member; refusing to erase them`);
    }
    const redacted = await this.auditLog.redactMember(userId);
    this.logger.log({ msg: 'removed member erased from the audit log', user_id: userId, redacted });
    return { responses: 0, exports: 0, files: 0, form: false, redacted };
  }

  /** The files a `PATCH` dropped from a response, unless another response names them. */
  async eraseReleasedFiles(id: Types.ObjectId): Promise<ErasureOutcome> {
    const files = await this.responses.eraseReleasedFiles(id);
    if (files) this.logger.log({ msg: 'dropped files erased', response_id: id.toHexString(), files });
    return { responses: 0, exports: 0, files, form: false };
  }

  /**
   * A deleted form, in batches: its responses (each erased like a deleted one) → its exports → the
   * anonymous uploads to it → its versions, counter and document, last, so a rerun finds the form
   * still marked deleted until nothing else is left. `afterBatch` runs after each batch of responses.
   */
  async eraseForm(id: Types.ObjectId, afterBatch?: (erased: number) => Promise<void>): Promise<ErasureOutcome> {
    const state = await this.forms.lifecycleState(id);
    if (state === 'live') throw new NotDeletedError(`Form ${id.toHexString()} is not deleted; refusing to erase it`);
    if (state === 'gone') return { responses: 0, exports: 0, files: 0, form: false };
    const outcome = {
      responses: await this.responses.eraseAllOfForm(id, this.batchSize, afterBatch),
      exports: await this.exports.eraseAllOfForm(id, this.batchSize),
      files: await this.files.eraseUploadsToForm(id, this.batchSize),
      form: await this.forms.removeDeleted(id),
    };
    this.logger.log({ msg: 'form erased', form_id: id.toHexString(), ...outcome });
    return outcome;
  }

  /**
   * Finishes the erasures of forms and responses deleted before `cutoff` but still stored, and of
   * files dropped from responses before it (a lost job).
   */
  async finishInterrupted(cutoff: Date): Promise<number> {
    let finished = await this.responses.eraseReleasedFilesBefore(cutoff, this.batchSize);
    for (const formId of await this.forms.deletedBefore(cutoff, this.batchSize)) {
      await this.eraseForm(formId);
      finished += 1;
    }
    return (
      finished +
      (await this.responses.eraseDeletedBefore(cutoff, this.batchSize, (found) => this.eraseExportsHolding(found)))
    );
  }

  /** Retention: erases the tenant's responses created before `cutoff` as deletions are erased. */
  eraseCreatedBefore(cutoff: Date): Promise<number> {
    return this.responses.eraseCreatedBefore(cutoff, this.batchSize, (found) => this.eraseExportsHolding(found));
  }

  /**
   * An export file never holds an erased response: the files of every export of the response's form
   * completed since the response was created are erased (the export answers `410 export_expired`).
   * An export whose run is under way may still write it: the erasure fails, to be retried.
   */
  private async eraseExportsHolding(responses: ErasedResponse[]): Promise<void> {
    const earliest = new Map<string, { formId: Types.ObjectId; createdAt: Date }>();
    for (const response of responses) {
      const seen = earliest.get(response.form_id.toHexString());
      if (!seen || response.created_at < seen.createdAt) {
        earliest.set(response.form_id.toHexString(), { formId: response.form_id, createdAt: response.created_at });
      }
    }
    const liveRunsSince = new Date(Date.now() - this.jobTimeoutMs);
    for (const { formId, createdAt } of earliest.values()) {
      const { erased, running } = await this.exports.eraseFilesThatMayHold(formId, createdAt, liveRunsSince);
      if (erased)
        this.logger.log({ msg: 'export files erased with a response', form_id: formId.toHexString(), erased });
      if (running) throw new ExportRunningError(`An export of form ${formId.toHexString()} is running; retrying later`);
    }
  }
}
