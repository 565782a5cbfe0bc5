import { HttpStatus, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Types } from 'mongoose';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { FormCaptcha } from './form-captcha.js';
import type { FormField } from './form-field.types.js';
import { type FormRecord, FormsRepository } from './forms.repository.js';
import { checkSubmission, type SubmissionCheck } from './submission-validator.js';

/** What a submission is validated against. */
export interface SubmissionTarget {
  form_id: Types.ObjectId;
  version: number;
  fields: FormField[];
  honeypot_field: string | null;
  /** The form's captcha with its secret, for the submission's verification; null when it has none. */
  captcha: FormCaptcha | null;
}

const SUBMISSION_CACHE_TTL_MS = 1_000;
const cacheKey = (id: Types.ObjectId) => `${TenantContext.tenantId()}:${id.toHexString()}`;

/**
 * What the public side of a form needs: the published version submissions and anonymous uploads
 * go to, read on their hot path, and the form's response slots (the tenant's
 * `max_responses_per_form`). Authoring and versions are `FormsService`'s.
 */
@Injectable()
export class SubmissionTargetsService {
  private readonly cache = new LRUCache<string, FormRecord | 'missing'>({ max: 10_000, ttl: SUBMISSION_CACHE_TTL_MS });

  constructor(private readonly forms: FormsRepository) {}

  /** The published version of a form that accepts submissions; the contract's errors otherwise. */
  async publishedForm(id: Types.ObjectId): Promise<SubmissionTarget & { title: string; description: string }> {
    const form = await this.findCached(id);
    assertAcceptsSubmissions(form);
    const { version, fields, title, description } = form.published;
    const { honeypot_field, captcha } = form.settings;
    return { form_id: form._id, version, fields, title, description, honeypot_field, captcha: captcha ?? null };
  }

  /**
   * What a browser's form post is answered with: the published title (the built-in thanks page) and
   * the form's `success_url`; null when the form is missing or was never published.
   */
  async browserAnswers(id: Types.ObjectId): Promise<{ title: string; success_url: string | null } | null> {
    const form = await this.findCached(id);
    if (!form?.published) return null;
    return { title: form.published.title, success_url: form.settings.success_url ?? null };
  }

  /**
   * Which emails a response to the form leads to, as its settings say now (read through the cache,
   * so a submission's listener costs no read): a listener queues no job for work the worker would
   * skip. The worker still reads the form again when it sends. None for a missing form.
   */
  async emailsFor(id: Types.ObjectId): Promise<{ notification: boolean; autoresponse: boolean }> {
    const settings = (await this.findCached(id))?.settings;
    return { notification: settings?.send_notification === true, autoresponse: Boolean(settings?.autoresponse) };
  }

  /**
   * What is wrong with a response's data for these fields, each problem under `data.<key>`, and the
   * files it names (which the caller checks: files are not the forms module's). The same rules hold
   * for a submission and for a member's `PATCH` (submission-validator.ts).
   */
  checkData(fields: FormField[], data: Record<string, unknown>): SubmissionCheck {
    return checkSubmission(fields, data);
  }

  /** Takes one of the form's response slots (the tenant's quota) or answers 403 quota_exceeded. */
  async takeResponseSlot(id: Types.ObjectId): Promise<void> {
    const limit = TenantContext.tenant().settings.max_responses_per_form;
    if (!(await this.forms.reserveResponseSlot(id, limit))) {
      throw ApiError.quotaExceeded(`This form may receive at most ${limit} responses`);
    }
  }

  /** Gives a slot back: taken by a submission that stored nothing, or held by a response now erased. */
  releaseResponseSlot(id: Types.ObjectId): Promise<void> {
    return this.forms.releaseResponseSlot(id);
  }

  /** Called by every change of the form: this replica sees it at once, the others within the cache's TTL. */
  forget(id: Types.ObjectId): void {
    this.cache.delete(cacheKey(id));
  }

  /**
   * Submissions read the form through a short-lived cache: the hot path then costs no read. Changes
   * made here clear it at once (`forget`); another replica's change is seen within SUBMISSION_CACHE_TTL_MS.
   */
  private async findCached(id: Types.ObjectId): Promise<FormRecord | null> {
    const key = cacheKey(id);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached === 'missing' ? null : cached;
    const form = await this.forms.findById(id);
    this.cache.set(key, form ?? 'missing');
    return form;
  }
}

function assertAcceptsSubmissions(
  form: FormRecord | null,
): asserts form is FormRecord & { published: NonNullable<FormRecord['published']> } {
  if (!form) throw ApiError.notFound('Form');
  if (form.status === 'archived') throw new ApiError(HttpStatus.GONE, ErrorCode.FormArchived, 'The form is archived');
  if (form.status !== 'published' || !form.published) {
    throw new ApiError(HttpStatus.CONFLICT, ErrorCode.FormNotPublished, 'The form is not published');
  }
}
