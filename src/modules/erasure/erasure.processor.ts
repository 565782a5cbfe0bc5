import { Processor } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { TenantScopedProcessor } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { ErasureService, NotDeletedError } from './erasure.service.js';
import type { ErasureJob, ErasureOutcome } from './erasure.types.js';

/** The `erasure` queue: one deleted response or form per job, retried (and resumed) on failure. */
@Processor(QueueName.erasure)
export class ErasureProcessor extends TenantScopedProcessor<ErasureJob, ErasureOutcome> {
  constructor(
    private readonly erasure: ErasureService,
    config: AppConfigService,
  ) {
    super(config);
  }

  /** A form's erasure stops between batches once `signal` (the job's time limit) fired; its retry resumes it. */
  protected async handle(job: Job<ErasureJob>, signal: AbortSignal): Promise<ErasureOutcome> {
    const id = new Types.ObjectId(job.data.id);
    try {
      return job.data.kind === 'form'
        ? await this.erasure.eraseForm(id, async () => signal.throwIfAborted())
        : await this.erasure.eraseResponse(id);
    } catch (error) {
      if (error instanceof NotDeletedError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
