import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { withQueryParameter } from '../../infrastructure/http/browser-form-post.js';
import { thanksPage } from '../../infrastructure/http/html-pages.js';
import { API_PREFIX } from '../../infrastructure/http/http-app.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { SubmissionTargetsService } from '../forms/index.js';

/** Where a browser goes after its form post was accepted, and the built-in page it may land on. */
@Injectable()
export class WebPagesService {
  constructor(private readonly submissionTargets: SubmissionTargetsService) {}

  /**
   * The form's `success_url` with `response_id=<id>` added, else the built-in thanks page of this
   * form (`?tenant=` names the tenant: the browser sends no header on the way there).
   */
  async afterSuccess(formId: Types.ObjectId, responseId: string): Promise<string> {
    const answers = await this.submissionTargets.browserAnswers(formId);
    if (answers?.success_url) return withQueryParameter(answers.success_url, 'response_id', responseId);
    const tenant = encodeURIComponent(TenantContext.tenantId());
    return `/${API_PREFIX}/forms/${formId.toHexString()}/thanks?tenant=${tenant}`;
  }

  /** "Thank you" and the published form's title; 404 when the form was never published. */
  async thanks(formId: Types.ObjectId): Promise<string> {
    const answers = await this.submissionTargets.browserAnswers(formId);
    if (!answers) throw ApiError.notFound('Form');
    return thanksPage(answers.title);
  }
}
