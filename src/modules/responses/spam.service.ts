import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { EventDispatcherService, EventType } from '../events/index.js';
import { SubmissionTargetsService } from '../forms/index.js';
import { ResponseSlot } from './response-slot.js';
import { type ResponseRecord, ResponsesRepository } from './responses.repository.js';
import { ResponsesService } from './responses.service.js';

/**
 * What a member does with spam (a submission the honeypot caught, stored with `spam: true`): turns
 * it into a response, as if it had just been submitted. Spam itself is stored by `SubmissionService`,
 * kept out of lists and exports by the repository, and erased after the tenant's
 * `spam_retention_days` by the daily retention run (the erasure module).
 */
@Injectable()
export class SpamService {
  constructor(
    private readonly responses: ResponsesService,
    private readonly repository: ResponsesRepository,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly events: EventDispatcherService,
  ) {}

  /**
   * `POST /responses/:id/not-spam`: the response takes one of its form's slots (`403 quota_exceeded`
   * when the form is full, nothing changed) and `response.submitted` is emitted with the write, so
   * notifications and webhooks follow as for any submission. Exactly once: the whole step runs under
   * the response's lock (an insert on a unique key, atomic on MongoDB and the local store alike, whose
   * updates are not), so a second call, concurrent or later, finds it no longer spam and answers it
   * unchanged, without a slot or an event. A response that is not spam is answered as it is.
   */
  markNotSpam(id: Types.ObjectId): Promise<ResponseRecord> {
    return this.responses.exclusively(id, async () => {
      const current = await this.responses.get(id);
      if (!current.spam) return current;
      const slot = new ResponseSlot(this.submissionTargets, current.form_id);
      try {
        const updated = await this.events.emitWith({
          type: EventType.ResponseSubmitted,
          entityId: id.toHexString(),
          payload: {
            response_id: id.toHexString(),
            form_id: current.form_id.toHexString(),
            form_version: current.form_version,
            data: current.data,
          },
          alongside: () => slot.take(),
          write: () => this.repository.markNotSpam(id),
          happened: (response) => response !== null,
        });
        // Deleted (or erased by retention) between the read and the write.
        if (!updated) throw ApiError.notFound('Response');
        slot.keep();
        return updated;
      } finally {
        await slot.release();
      }
    });
  }
}
