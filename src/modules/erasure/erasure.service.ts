import { Injectable, Logger } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ExportsService } from '../exports/exports.service.js';
import { FilesService } from '../files/files.service.js';
import { FormsService } from '../forms/forms.service.js';
import { ResponsesService } from '../responses/responses.service.js';
import type { ErasureOutcome } from './erasure.types.js';

/** Thrown when asked to erase something that was never deleted: a bug, never retried. */
export class NotDeletedError extends Error {}

/**
 * Erases deleted responses and forms in the current tenant, through each feature's tenant-scoped
 * service. Every step can be repeated: a job killed at any point and run again finishes the work.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);
  private readonly batchSize: number;

  constructor(
    private readonly responses: ResponsesService,
    private readonly forms: FormsService,
    private readonly files: FilesService,
    private readonly exports: ExportsService,
    config: AppConfigService,
  ) {
    this.batchSize = config.erasure.batchSize;
  }

  async eraseResponse(id: Types.ObjectId): Promise<ErasureOutcome> {
    if ((await this.responses.lifecycleState(id)) === 'live') {
      throw new NotDeletedError(`Response ${id.toHexString()} is not deleted; refusing to erase it`);
    }
    const erased = await this.responses.erase(id);
    this.logger.log({ msg: 'response erased', response_id: id.toHexString(), erased });
    return { responses: erased ? 1 : 0, exports: 0, files: 0, form: false };
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

  /** Finishes the erasures of forms and responses deleted before `cutoff` but still stored (a lost job). */
  async finishInterrupted(cutoff: Date): Promise<number> {
    let finished = 0;
    for (const formId of await this.forms.deletedBefore(cutoff, this.batchSize)) {
      await this.eraseForm(formId);
      finished += 1;
    }
    return finished + (await this.responses.eraseDeletedBefore(cutoff, this.batchSize));
  }
}
