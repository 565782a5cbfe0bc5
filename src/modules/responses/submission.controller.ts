import { Body, Controller, Ip, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Types } from 'mongoose';
import { isBrowserFormPost, isFormBody } from '../../infrastructure/http/browser-form-post.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { RateLimited } from '../../infrastructure/rate-limit/rate-limited.decorator.js';
import { TenantFromQuery } from '../../infrastructure/tenancy/tenant-from-query.decorator.js';
import { SubmissionDto, SubmittedDto } from './dto/response.dto.js';
import { SUBMIT_REQUEST_BODY } from './dto/web-submission.openapi.js';
import { SubmissionService } from './submission.service.js';
import { WebPagesService } from './web-pages.service.js';
import { WebSubmissionService } from './web-submission.service.js';

/** Answers this route describes itself still have the one error body (`swagger.ts` adds its schema). */
const ERROR_BODY = { $ref: '#/components/schemas/ErrorBody' };

/** Visitors submit responses to a published form, from the customer's page (no token). */
@ApiTags('responses')
@ApiNotFoundResponse({ description: 'No such form in this tenant (not_found)' })
@ApiExtraModels(SubmissionDto)
@Controller('forms/:form_id/submit')
export class SubmissionController {
  constructor(
    private readonly submissions: SubmissionService,
    private readonly webSubmissions: WebSubmissionService,
    private readonly pages: WebPagesService,
  ) {}

  @Post()
  @TenantFromQuery()
  @RateLimited(RateLimitName.Submission, RateLimitName.SubmissionAnyForm)
  @ApiOperation({
    summary: 'Submit a response to the published version (no token needed): JSON, or a web page’s form post',
    requestBody: SUBMIT_REQUEST_BODY,
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retries with the same key within 24 h store nothing new (form bodies: the _idempotency_key field)',
  })
  @ApiQuery({
    name: 'tenant',
    required: false,
    description: 'The tenant, for a web page that cannot send X-Tenant-ID (ignored when a JWT or the header decides)',
  })
  @ApiCreatedResponse({ type: SubmittedDto, description: 'Stored (a client that prefers JSON)' })
  @ApiResponse({
    status: 303,
    description:
      "A browser's form post (HTML preferred over JSON): on success to the form's success_url with response_id " +
      'added, else to GET /forms/:form_id/thanks; on an error to its error_url with error=<code> added (without ' +
      'one, the error status with an HTML page listing every problem)',
    headers: { Location: { description: 'Where the browser goes next', schema: { type: 'string' } } },
  })
  @ApiHeader({
    name: 'X-Captcha-Token',
    required: false,
    description:
      "Required when the form's settings.captcha is set: the provider's token (Turnstile, hCaptcha or reCAPTCHA), " +
      'checked with the provider before anything is stored',
  })
  @ApiBadRequestResponse({
    description:
      'validation_failed, with one details entry per field; captcha_failed: the form has a captcha and the ' +
      'token is missing or the provider refused it (nothing stored)',
    schema: ERROR_BODY,
  })
  @ApiServiceUnavailableResponse({
    description:
      'captcha_unavailable: the captcha provider could not be reached or did not answer in time (nothing stored, ' +
      'Retry-After); service_unavailable: a store is down; maintenance',
    schema: ERROR_BODY,
  })
  @ApiConflictResponse({ description: 'Never published (form_not_published)' })
  @ApiGoneResponse({ description: 'Archived (form_archived)' })
  @ApiForbiddenResponse({
    description:
      'max_responses_per_form reached (quota_exceeded); a form body posted from a page whose origin is not ' +
      "in the tenant's allowed_origins (origin_not_allowed)",
  })
  @ApiPayloadTooLargeResponse({
    description:
      "Body over BODY_LIMIT_BYTES, a file over FILE_MAX_BYTES or over the day's allowance (payload_too_large)",
  })
  // The body stays untyped so the global class-validator pipe skips it: the form's own fields validate it.
  async submit(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Body() body: unknown,
    @Ip() clientIp: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubmittedDto | undefined> {
    // Read from the request, not with @Headers(): Swagger would document each header a second time, as
    // required (the @ApiHeader entries above are the documentation).
    const controls = {
      idempotencyKey: singleHeader(request, 'idempotency-key'),
      captchaToken: singleHeader(request, 'x-captcha-token'),
      clientIp,
    };
    if (!isFormBody(request)) return this.submissions.submit(formId, body, controls);
    const submitted = await this.webSubmissions.submit(formId, request, controls);
    if (!isBrowserFormPost(request)) return submitted;
    // A browser follows a 303 with a GET: a reload of the next page never posts the answers again.
    void reply.status(303).header('location', await this.pages.afterSuccess(formId, submitted.response_id));
    void reply.header('cache-control', 'no-store');
    return undefined;
  }
}

/** A header's value when it was sent once; a repeated header is read as absent. */
function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
