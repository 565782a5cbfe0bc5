import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { bodyMediaType } from '../../infrastructure/http/browser-form-post.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { FilesService, PublicUploadsService } from '../files/index.js';
import { SubmissionTargetsService } from '../forms/index.js';
import { assertAllowedPostOrigin } from './browser-post-origin.js';
import { type FormBodyEntries, formBodyShapeProblem, readFormBody } from './form-body-values.js';
import { readMultipartBody } from './multipart-form-body.js';
import { ResponsesRepository } from './responses.repository.js';
import { type SubmissionControls, type Submitted, SubmissionService } from './submission.service.js';

/**
 * A web page's form post (urlencoded or multipart) to `submit`: the same submission as JSON's, once
 * its body is read into `{ data }` and its control fields. Files in a multipart body are uploaded as
 * anonymous uploads to the form are (same limits, allowance and storage) and named in the data; if
 * the submission is refused for any reason, they are erased before the refusal is answered.
 */
@Injectable()
export class WebSubmissionService {
  private readonly logger = new Logger(WebSubmissionService.name);
  private readonly bodyLimitBytes: number;
  private readonly maxFileBytes: number;

  constructor(
    private readonly submissions: SubmissionService,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly uploads: PublicUploadsService,
    private readonly files: FilesService,
    private readonly responses: ResponsesRepository,
    config: AppConfigService,
  ) {
    this.bodyLimitBytes = config.http.bodyLimitBytes;
    this.maxFileBytes = config.files.maxBytes;
  }

  /**
   * Four steps: the page's origin is one the tenant allows → the published form (its fields say how
   * to read the values) → the body, files uploaded as they stream in → the submission. Headers
   * (`Idempotency-Key`, `X-Captcha-Token`) stand in for control fields the body does not carry.
   */
  async submit(
    formId: Types.ObjectId,
    request: FastifyRequest,
    headerControls: SubmissionControls,
  ): Promise<Submitted> {
    assertAllowedPostOrigin(request.headers, TenantContext.tenant().settings.allowed_origins);
    const form = await this.submissionTargets.publishedForm(formId);
    const stored: string[] = [];
    let submitted: Submitted;
    try {
      const entries = await this.entriesOf(request, formId, form.fields, stored);
      const shapeProblem = formBodyShapeProblem(entries);
      if (shapeProblem) throw ApiError.validation([shapeProblem]);
      const { data, controls } = readFormBody(form.fields, entries);
      submitted = await this.submissions.submit(formId, { data }, { ...headerControls, ...controls });
    } catch (error) {
      await this.eraseAll(stored);
      throw error;
    }
    if (stored.length) await this.eraseUnnamed(submitted.response_id, stored);
    return submitted;
  }

  /**
   * An accepted post may still store no response of its own: a retry answered with the response its
   * idempotency key stored first. The files it uploaded that the answered response does not name are
   * erased like a refused post's (a bot's post caught by the honeypot is stored as spam with its files).
   */
  private async eraseUnnamed(responseId: string, stored: string[]): Promise<void> {
    try {
      const response = await this.responses.findById(new Types.ObjectId(responseId));
      const named = new Set((response?.file_ids ?? []).map((id) => id.toHexString()));
      await this.eraseAll(stored.filter((id) => !named.has(id)));
    } catch (error) {
      this.logger.warn({ msg: 'could not check the uploads of an accepted submission', err: (error as Error).name });
    }
  }

  private async entriesOf(
    request: FastifyRequest,
    formId: Types.ObjectId,
    fields: Parameters<typeof readMultipartBody>[1]['fields'],
    stored: string[],
  ): Promise<FormBodyEntries> {
    if (bodyMediaType(request) !== 'multipart/form-data') return listedValues(request.body);
    return readMultipartBody(request, {
      fields,
      bodyLimitBytes: this.bodyLimitBytes,
      maxFileBytes: this.maxFileBytes,
      storeFile: async ({ filename, content_type, content }) => {
        const bodyBytes = Number(request.headers['content-length']);
        const file = await this.uploads.uploadToForm(formId, {
          filename,
          content_type,
          content,
          ...(Number.isSafeInteger(bodyBytes) && bodyBytes >= 0 ? { at_most_bytes: bodyBytes } : {}),
        });
        const id = file._id.toHexString();
        stored.push(id);
        return id;
      },
    });
  }

  /** Nothing of a refused submission stays: each file it uploaded goes (record, then bytes). */
  private async eraseAll(ids: string[]): Promise<void> {
    for (const id of ids) {
      try {
        await this.files.erase(new Types.ObjectId(id));
      } catch (error) {
        // The sweep of unused uploads erases it within 24 h: the refusal is still what is answered.
        this.logger.warn({
          msg: 'could not erase the upload of a refused submission',
          file_id: id,
          err: (error as Error).name,
        });
      }
    }
  }
}

/** The urlencoded parser's body (a value, or a list for a repeated key) with every key's values listed. */
function listedValues(body: unknown): FormBodyEntries {
  const entries = Object.create(null) as FormBodyEntries;
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, string | string[]>)) {
    entries[key] = Array.isArray(value) ? value : [value];
  }
  return entries;
}
