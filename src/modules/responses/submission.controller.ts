import { Body, Controller, Headers, Ip, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { RateLimited } from '../../infrastructure/rate-limit/rate-limited.decorator.js';
import { SubmissionDto, SubmittedDto } from './dto/response.dto.js';
import { SubmissionService } from './submission.service.js';

/** Answers this route describes itself still have the one error body (`swagger.ts` adds its schema). */
const ERROR_BODY = { $ref: '#/components/schemas/ErrorBody' };

/** Visitors submit responses to a published form, from the customer's page (no token). */
@ApiTags('responses')
@ApiNotFoundResponse({ description: 'No such form in this tenant (not_found)' })
@Controller('forms/:form_id/submit')
export class SubmissionController {
  constructor(private readonly submissions: SubmissionService) {}

  @Post()
  @RateLimited(RateLimitName.Submission, RateLimitName.SubmissionAnyForm)
  @ApiOperation({ summary: 'Submit a response to the published version (no token needed)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retries with the same key within 24 h store nothing new',
  })
  @ApiHeader({
    name: 'X-Captcha-Token',
    required: false,
    description:
      "Required when the form's settings.captcha is set: the provider's token (Turnstile, hCaptcha or reCAPTCHA), " +
      'checked with the provider before anything is stored',
  })
  @ApiBody({ type: SubmissionDto })
  @ApiCreatedResponse({ type: SubmittedDto })
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
  @ApiForbiddenResponse({ description: 'max_responses_per_form reached (quota_exceeded)' })
  // The body stays untyped so the global class-validator pipe skips it: the form's own fields validate it.
  submit(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Body() body: unknown,
    @Ip() clientIp: string,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers('x-captcha-token') captchaToken?: string,
  ): Promise<SubmittedDto> {
    return this.submissions.submit(formId, body, { idempotencyKey, captchaToken, clientIp });
  }
}
