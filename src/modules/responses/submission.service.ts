import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { isDuplicateKeyError } from '../../infrastructure/database/mongo-values.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { Metrics, type SpamReason } from '../../infrastructure/metrics/metrics.js';
import { EventDispatcherService, EventType } from '../events/index.js';
import { type SubmissionTarget, SubmissionTargetsService } from '../forms/index.js';
import { CaptchaService } from './captcha/captcha.service.js';
import { type NamedFiles, ResponseDataChecker, submittedData } from './response-data-checker.js';
import { ResponseSlot } from './response-slot.js';
import { type ResponseRecord, ResponsesRepository } from './responses.repository.js';

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** What `POST /forms/:form_id/submit` answers. */
export interface Submitted {
  response_id: string;
}

/**
 * What a submission carries besides its data, from headers or (for a web page's form post) from
 * control fields of the body that are never stored.
 */
export interface SubmissionControls {
  /** The `Idempotency-Key` header, or a form body's `_idempotency_key`. */
  idempotencyKey?: string;
  /** The captcha provider's token: `X-Captcha-Token`, or the provider's own field of a form body. */
  captchaToken?: string;
  /** The visitor's address as the server reads it (`TRUST_PROXY`), passed on to a captcha provider. */
  clientIp?: string;
}

interface Submission {
  data: Record<string, unknown>;
  /** `key:<Idempotency-Key>` when the client sent one. */
  dedupKey?: string;
}

/** The response a submission ended with, and whether this submission stored it. */
interface Stored extends Submitted {
  isNew: boolean;
}

/**
 * The public side of responses: a visitor's submission to a published form, stored once however
 * often it is retried, within the form's quota. Members read and change responses through
 * `ResponsesService`.
 */
@Injectable()
export class SubmissionService {
  constructor(
    private readonly responses: ResponsesRepository,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly dataChecker: ResponseDataChecker,
    private readonly events: EventDispatcherService,
    private readonly metrics: Metrics,
    private readonly captcha: CaptchaService,
  ) {}

  /**
   * Stores a validated response once, in five steps: parse the body → find the published form →
   * validate the data against it → check the form's captcha (after validation: invalid data keeps
   * the visitor's unused token and spends no provider call) → store the response with its
   * `response.submitted` event, having taken one of the form's response slots (its quota) while the
   * event was being stored; or, for a bot's submission (a filled honeypot), store it as spam. Spam
   * passes the same checks, the captcha included: the contract asks a token of every submission.
   * Invalid data or a failed captcha writes nothing. A repeated `Idempotency-Key` collides on a
   * unique index, so even concurrent duplicates store and emit one.
   */
  async submit(formId: Types.ObjectId, body: unknown, controls: SubmissionControls = {}): Promise<Submitted> {
    const submission = parseSubmission(body, controls.idempotencyKey);
    const form = await this.submissionTargets.publishedForm(formId);
    const spam = caughtByHoneypot(form, submission.data);
    return this.dataChecker.withValidData(form.form_id, form.fields, submission.data, async (files) => {
      const replay = await this.replayedBeforeCaptcha(form, submission);
      if (replay) return replay;
      await this.captcha.verify(form, controls);
      return spam ? this.storeSpam(form, submission, files, 'honeypot') : this.storeWithEvent(form, submission, files);
    });
  }

  /**
   * A captcha token is single-use, so a retry of a submission that was stored (a lost answer) would
   * be refused by the provider: with a captcha and an `Idempotency-Key`, a key that already names a
   * response answers it before the captcha is asked, storing nothing, as without a captcha.
   */
  private replayedBeforeCaptcha(form: SubmissionTarget, submission: Submission): Promise<Submitted | null> {
    if (!form.captcha || !submission.dedupKey) return Promise.resolve(null);
    return this.replayed(form.form_id, submission.dedupKey);
  }

  /**
   * Spam: the bot gets the same 201 with the real response id, so it cannot tell. Its data is
   * validated like any submission's (invalid data: 400, as for a person), so spam a member marks not
   * spam (`SpamService.markNotSpam`) is a valid response. Stored durably and once per idempotency
   * key like any submission, but without a quota slot and without `response.submitted`: no
   * notification, autoresponse or webhook follows until it is marked not spam.
   */
  private async storeSpam(
    form: SubmissionTarget,
    submission: Submission,
    files: NamedFiles,
    reason: SpamReason,
  ): Promise<Submitted> {
    const responseId = new Types.ObjectId();
    const stored = await this.insertOnce({
      _id: responseId,
      form_id: form.form_id,
      form_version: form.version,
      data: submission.data,
      spam: true,
      dedup_key: submission.dedupKey ?? `id:${responseId.toHexString()}`,
      ...(files ? { file_ids: files } : {}),
    });
    if (stored.isNew) this.metrics.spamStored(reason);
    return { response_id: stored.response_id };
  }

  /**
   * Inserts the response under its event, once a slot is taken. The slot is kept when a new response
   * was stored and given back whenever nothing new was: the key was a replay of an earlier response,
   * or the write failed. A full form still answers a known key with its response.
   */
  private async storeWithEvent(form: SubmissionTarget, submission: Submission, files: NamedFiles): Promise<Submitted> {
    const responseId = new Types.ObjectId();
    const response_id = responseId.toHexString();
    const slot = new ResponseSlot(this.submissionTargets, form.form_id);
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
        alongside: () => slot.take(),
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
      if (outcome.isNew) slot.keep();
      else await slot.release();
      return { response_id: outcome.response_id };
    } catch (error) {
      await slot.release();
      const replay =
        submission.dedupKey && ApiError.is(error, ErrorCode.QuotaExceeded)
          ? await this.replayed(form.form_id, submission.dedupKey)
          : null;
      if (replay) return replay;
      throw error;
    }
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
    if (existing && withinIdempotencyWindow(existing)) {
      return { response_id: existing._id.toHexString(), isNew: false };
    }
    // The key was used over 24 hours ago: it names a new submission now.
    if (existing) await this.responses.retireDedupKey(existing);
    await this.responses.insert(response);
    return inserted;
  }

  /** The response a key stored within the idempotency window, if any: what a replay answers. */
  private async replayed(formId: Types.ObjectId, dedupKey: string): Promise<Submitted | null> {
    const existing = await this.responses.findByDedupKey(formId, dedupKey);
    return existing && withinIdempotencyWindow(existing) ? { response_id: existing._id.toHexString() } : null;
  }
}

/** Whether a key's earlier response is recent enough that the key still names it (24 hours). */
function withinIdempotencyWindow(existing: ResponseRecord): boolean {
  return Date.now() - existing.created_at.getTime() < IDEMPOTENCY_WINDOW_MS;
}

/** Step one: the body is `{ data: { … } }` and nothing else, the key (if any) a valid one. */
function parseSubmission(body: unknown, idempotencyKey: string | undefined): Submission {
  return {
    data: submittedData(body),
    dedupKey: idempotencyKey === undefined ? undefined : `key:${checkedIdempotencyKey(idempotencyKey)}`,
  };
}

/**
 * A filled honeypot (a hidden input people never see) marks a bot: its submission is stored as spam.
 * The honeypot's value is never stored; an empty one is dropped and the submission goes on as usual.
 */
function caughtByHoneypot(form: SubmissionTarget, data: Record<string, unknown>): boolean {
  const honeypot = form.honeypot_field;
  if (!honeypot || !Object.hasOwn(data, honeypot)) return false;
  const value = data[honeypot];
  delete data[honeypot];
  return value !== undefined && value !== null && value !== '' && value !== false;
}

function checkedIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw ApiError.validation([{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }]);
  }
  return key;
}
