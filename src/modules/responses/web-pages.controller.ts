import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Types } from 'mongoose';
import { sendPage } from '../../infrastructure/http/html-pages.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { RateLimited } from '../../infrastructure/rate-limit/rate-limited.decorator.js';
import { TenantFromQuery } from '../../infrastructure/tenancy/tenant-from-query.decorator.js';
import { WebPagesService } from './web-pages.service.js';

/** The built-in page a browser lands on after its form post was accepted (no success_url set). */
@ApiTags('responses')
@Controller('forms/:form_id/thanks')
export class WebPagesController {
  constructor(private readonly pages: WebPagesService) {}

  @Get()
  @TenantFromQuery()
  @RateLimited(RateLimitName.PublicRead)
  @ApiOperation({ summary: 'The built-in "Thank you" page after a browser’s form post (HTML, no scripts)' })
  @ApiQuery({ name: 'tenant', required: false, description: 'The tenant (as X-Tenant-ID)' })
  @ApiProduces('text/html')
  @ApiOkResponse({
    description: '"Thank you" and the form’s title; Content-Security-Policy forbids scripts',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ description: 'No such form in this tenant, or never published (not_found)' })
  async thanks(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendPage(reply, 200, await this.pages.thanks(formId));
  }
}
