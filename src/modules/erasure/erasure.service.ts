import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { AuditLogService } from '../events/index.js';
import { ExportsService } from '../exports/index.js';
import { FileErasureService } from '../files/index.js';
import { FormsService } from '../forms/index.js';
import { ResponsesService } from '../responses/index.js';
import { UsersService } from '../users/index.js';
import { ERASURE_TARGETS, type ErasureTarget } from './erasure-targets.js';
import type { ErasureOutcome } from './erasure.types.js';
import { ResponseErasureService } from './response-erasure.service.js';

/** Thrown when asked to erase something that was never deleted: a bug, never retried. */
export class NotDeletedError extends Error {}

const NOTHING: ErasureOutcome = { responses: 0, exports: 0, files: 0, form: false };

/**
 * The erasures inside one tenant (each `erasure` job runs one, in the job's tenant): a deleted
 * response, the files a `PATCH` dropped, a deleted form, a removed member; and what the daily run
 * asks (retention, erasures a lost job left unfinished). Every step can be repeated: a job killed at
 * any point and run again finishes the work.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);
  private readonly batchSize: number;

  constructor(
    private readonly responseErasure: ResponseErasureService,
    private readonly responses: ResponsesService,
    private readonly forms: FormsService,
    private readonly files: FileErasureService,
    private readonly exports: ExportsService,
    private readonly users: UsersService,
    private readonly auditLog: AuditLogService,
    @Inject(ERASURE_TARGETS) private readonly targets: ErasureTarget[],
    config: AppConfigService,
  ) {
    this.batchSize = config.erasure.batchSize;
  }

  /** A deleted response, everywhere it was copied (`ResponseErasureService`). */
  async eraseResponse(id: Types.ObjectId): Promise<ErasureOutcome> {
    if ((await this.responses.lifecycleState(id)) === 'live') {
      throw new NotDeletedError(`Response ${id.toHexString()} is not deleted; refusing to erase it`);
    }
    const erased = await this.responseErasure.eraseOne(id);
    this.logger.log({ msg: 'response erased', response_id: id.toHexString(), erased });
    return { ...NOTHING, responses: erased ? 1 : 0 };
  }

  /** The files a `PATCH` dropped from a response, unless another response names them. */
  async eraseReleasedFiles(id: Types.ObjectId): Promise<ErasureOutcome> {
    const files = await this.responseErasure.eraseReleasedFiles(id);
    if (files) this.logger.log({ msg: 'dropped files erased', response_id: id.toHexString(), files });
    return { ...NOTHING, files };
  }

  /**
   * A deleted form, in batches: its responses (each erased like a deleted one) → its exports → the
   * anonymous uploads to it → its versions, counter and document, last, so a rerun finds the form
   * still marked deleted until nothing else is left. `afterBatch` runs after each batch of responses.
   * Its own events (`form.*`) stay: they hold no respondent data.
   */
  async eraseForm(id: Types.ObjectId, afterBatch?: (erased: number) => Promise<void>): Promise<ErasureOutcome> {
    const state = await this.forms.lifecycleState(id);
    if (state === 'live') throw new NotDeletedError(`Form ${id.toHexString()} is not deleted; refusing to erase it`);
    if (state === 'gone') return NOTHING;
    const outcome = {
      responses: await this.responseErasure.eraseAllOfForm(id, afterBatch),
      exports: await this.exports.eraseAllOfForm(id, this.batchSize),
      files: await this.files.eraseUploadsToForm(id, this.batchSize),
      form: await this.forms.removeDeleted(id),
    };
    this.logger.log({ msg: 'form erased', form_id: id.toHexString(), ...outcome });
    return outcome;
  }

  /**
   * A removed member: their name and email leave the audit log's payloads (their `user.registered`,
   * the invitations that brought them in, their name as the inviter of those they sent; the envelopes
   * stay, `redacted`), then every extra `ErasureTarget`.
   */
  async eraseMember(userId: string): Promise<ErasureOutcome> {
    if (await this.users.exists(userId)) {
      throw new NotDeletedError(`User ${userId} is still a member; refusing to erase them`);
    }
    let redacted = await this.auditLog.redactMember(userId);
    for (const target of this.targets) redacted += (await target.eraseMember?.(userId)) ?? 0;
    this.logger.log({ msg: 'removed member erased', user_id: userId, redacted });
    return { ...NOTHING, redacted };
  }

  /** Retention: the tenant's responses created before `cutoff`, erased as deletions are. */
  eraseCreatedBefore(cutoff: Date): Promise<number> {
    return this.responseErasure.eraseCreatedBefore(cutoff);
  }

  /** Spam retention: the tenant's spam created before `cutoff`, erased as deletions are. */
  eraseSpamCreatedBefore(cutoff: Date): Promise<number> {
    return this.responseErasure.eraseSpamCreatedBefore(cutoff);
  }

  /**
   * Finishes the erasures a lost job left: files dropped from responses and forms and responses
   * deleted before `cutoff` but still stored. Answers how many it finished.
   */
  async finishInterrupted(cutoff: Date): Promise<number> {
    let finished = await this.responseErasure.eraseReleasedFilesBefore(cutoff);
    for (const formId of await this.forms.deletedBefore(cutoff, this.batchSize)) {
      await this.eraseForm(formId);
      finished += 1;
    }
    return finished + (await this.responseErasure.eraseDeletedBefore(cutoff));
  }
}
