import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { FormDto, FormListQueryDto, FormPageDto, FormVersionDto, PublicFormDto, toPublicForm } from './dto/form.dto.js';
import { CreateFormDto, UpdateFormDto } from './dto/form-input.dto.js';
import { FormsService } from './forms.service.js';

const FormId = () => Param('form_id', new ObjectIdPipe('Form'));

@ApiTags('forms')
@ApiNotFoundResponse({ description: 'No such form in this tenant (not_found)' })
@Controller('forms')
export class FormsController {
  constructor(private readonly forms: FormsService) {}

  @Post()
  @RequireUser('editor')
  @ApiOperation({ summary: 'Create a draft form' })
  @ApiCreatedResponse({ type: FormDto })
  @ApiConflictResponse({ description: 'The slug is taken in this tenant (conflict)' })
  @ApiForbiddenResponse({ description: 'The tenant has max_forms forms already (quota_exceeded)' })
  async create(@Body() body: CreateFormDto): Promise<FormDto> {
    return FormDto.from(await this.forms.create(body));
  }

  @Get()
  @RequireUser()
  @ApiOperation({ summary: 'List forms, newest first' })
  @ApiOkResponse({ type: FormPageDto })
  async list(@Query() query: FormListQueryDto): Promise<FormPageDto> {
    const page = await this.forms.list(query);
    return { data: page.items.map(FormDto.from), next_cursor: page.next_cursor };
  }

  @Get(':form_id')
  @RequireUser()
  @ApiOkResponse({ type: FormDto })
  async get(@FormId() id: Types.ObjectId): Promise<FormDto> {
    return FormDto.from(await this.forms.get(id));
  }

  @Patch(':form_id')
  @RequireUser('editor')
  @ApiOperation({ summary: 'Change the working copy; submissions keep using the published version' })
  @ApiOkResponse({ type: FormDto })
  @ApiConflictResponse({ description: 'Slug taken (conflict), or the form is archived (form_archived)' })
  async update(@FormId() id: Types.ObjectId, @Body() body: UpdateFormDto): Promise<FormDto> {
    return FormDto.from(await this.forms.update(id, body));
  }

  @Post(':form_id/publish')
  @HttpCode(HttpStatus.OK)
  @RequireUser('editor')
  @ApiOperation({ summary: 'Snapshot the working copy as the next version and accept submissions' })
  @ApiOkResponse({ type: FormDto })
  @ApiConflictResponse({ description: 'The form is archived (form_archived) or changed meanwhile (conflict)' })
  async publish(@FormId() id: Types.ObjectId): Promise<FormDto> {
    return FormDto.from(await this.forms.publish(id));
  }

  @Post(':form_id/archive')
  @HttpCode(HttpStatus.OK)
  @RequireUser('editor')
  @ApiOperation({ summary: 'Stop accepting submissions (410 form_archived from then on)' })
  @ApiOkResponse({ type: FormDto })
  async archive(@FormId() id: Types.ObjectId): Promise<FormDto> {
    return FormDto.from(await this.forms.archive(id));
  }

  @Get(':form_id/versions')
  @RequireUser()
  @ApiOperation({ summary: 'Published versions, newest first' })
  @ApiOkResponse({ type: FormVersionDto, isArray: true })
  async versions(@FormId() id: Types.ObjectId): Promise<{ data: FormVersionDto[] }> {
    return { data: (await this.forms.versions(id)).map(FormVersionDto.from) };
  }

  @Get(':form_id/public')
  @ApiOperation({ summary: 'The published version, for rendering the form (no token needed)' })
  @ApiOkResponse({ type: PublicFormDto })
  @ApiConflictResponse({ description: 'Never published (form_not_published)' })
  @ApiGoneResponse({ description: 'Archived (form_archived)' })
  async publicForm(@FormId() id: Types.ObjectId): Promise<PublicFormDto> {
    const form = await this.forms.publishedForm(id);
    return toPublicForm(form.form_id.toHexString(), form);
  }
}
