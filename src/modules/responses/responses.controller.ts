import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { ResponseDto, ResponseListQueryDto, ResponsePageDto, SubmissionDto } from './dto/response.dto.js';
import { ResponsesService } from './responses.service.js';
import { SpamService } from './spam.service.js';

const FormId = () => Param('form_id', new ObjectIdPipe('Form'));
const ResponseId = () => Param('response_id', new ObjectIdPipe('Response'));

/** Members read, replace and delete their forms' responses. Visitors submit through `SubmissionController`. */
@ApiTags('responses')
@ApiNotFoundResponse({ description: 'No such form or response in this tenant (not_found)' })
@Controller()
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly spam: SpamService,
  ) {}

  @Get('forms/:form_id/responses')
  @RequireUser()
  @ApiOperation({ summary: "A form's responses, newest first" })
  @ApiOkResponse({ type: ResponsePageDto })
  async list(@FormId() formId: Types.ObjectId, @Query() query: ResponseListQueryDto): Promise<ResponsePageDto> {
    const page = await this.responses.list({
      formId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      cursor: query.cursor,
      limit: query.limit,
      spam: query.spam === 'true',
    });
    return { data: page.items.map(ResponseDto.from), next_cursor: page.next_cursor };
  }

  @Get('responses/:response_id')
  @RequireUser()
  @ApiOkResponse({ type: ResponseDto })
  async get(@ResponseId() id: Types.ObjectId): Promise<ResponseDto> {
    return ResponseDto.from(await this.responses.get(id));
  }

  @Patch('responses/:response_id')
  @RequireUser('editor')
  @ApiOperation({ summary: 'Replace the data, validated against the version it was submitted to' })
  @ApiBody({ type: SubmissionDto })
  @ApiOkResponse({ type: ResponseDto })
  async update(@ResponseId() id: Types.ObjectId, @Body() body: unknown): Promise<ResponseDto> {
    return ResponseDto.from(await this.responses.update(id, body));
  }

  @Post('responses/:response_id/not-spam')
  @HttpCode(HttpStatus.OK)
  @RequireUser('editor')
  @ApiOperation({
    summary: 'Mark spam as a response: it takes a quota slot and emits response.submitted, once',
    description: 'A response that is not spam is answered unchanged, and nothing is emitted.',
  })
  @ApiOkResponse({ type: ResponseDto, description: 'The response, with spam: false' })
  @ApiForbiddenResponse({ description: 'Below editor (forbidden), or the form is full (quota_exceeded)' })
  async notSpam(@ResponseId() id: Types.ObjectId): Promise<ResponseDto> {
    return ResponseDto.from(await this.spam.markNotSpam(id));
  }

  @Delete('responses/:response_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireUser('editor')
  @ApiOperation({
    summary: 'Delete a response: 404 at once; its data is erased from the audit log, deliveries and files',
  })
  @ApiNoContentResponse({ description: 'Deleted (response.deleted)' })
  async delete(@ResponseId() id: Types.ObjectId): Promise<void> {
    await this.responses.delete(id);
  }
}
