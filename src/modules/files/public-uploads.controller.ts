import { Controller, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Types } from 'mongoose';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { RateLimited } from '../../infrastructure/rate-limit/rate-limited.decorator.js';
import { FileDto } from './dto/file.dto.js';
import { PublicUploadsService } from './public-uploads.service.js';
import { uploadedPart } from './uploaded-part.js';

/** Anonymous visitors attach files to a published form, from the customer's page. */
@ApiTags('files')
@Controller('forms/:form_id/files')
export class PublicUploadsController {
  constructor(private readonly uploads: PublicUploadsService) {}

  @Post()
  @RateLimited(RateLimitName.PublicUpload, RateLimitName.PublicUploadAnyForm)
  @ApiOperation({
    summary:
      'Anonymous: upload a file for a published form with a file field (name the tenant with X-Tenant-ID); ' +
      'usable only in submissions to that form, erased after 24 h if none uses it',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiCreatedResponse({ type: FileDto })
  @ApiBadRequestResponse({
    description: 'No multipart field "file", or the form has no file field (validation_failed)',
  })
  @ApiNotFoundResponse({ description: 'No such form in this tenant (not_found)' })
  @ApiConflictResponse({ description: 'Never published (form_not_published)' })
  @ApiGoneResponse({ description: 'Archived (form_archived)' })
  @ApiPayloadTooLargeResponse({
    description:
      "Over FILE_MAX_BYTES, or over what is left of the tenant's daily allowance for anonymous uploads " +
      '(payload_too_large; then with Retry-After, the seconds until 00:00 UTC)',
  })
  async upload(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Req() request: FastifyRequest,
  ): Promise<FileDto> {
    return FileDto.from(await this.uploads.uploadToForm(formId, await uploadedPart(request)));
  }
}
