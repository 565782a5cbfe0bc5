import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { PageQueryDto } from '../../infrastructure/http/page-query.dto.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { RateLimited } from '../../infrastructure/rate-limit/rate-limited.decorator.js';
import { CreateFormDto, UpdateFormDto } from './dto/form-input.dto.js';
import {
  FormDto,
  FormListQueryDto,
  FormPageDto,
  FormSummaryDto,
  FormVersionDto,
  FormVersionPageDto,
  FormVersionSummaryDto,
  PublicFormDto,
  toPublicForm,
} from './dto/form.dto.js';
import { FormVersionsService } from './form-versions.service.js';
import { FormsService } from './forms.service.js';
import { SubmissionTargetsService } from './submission-targets.service.js';

const FormId = () => Param('form_id', new ObjectIdPipe('Form'));

@ApiTags('forms')
@ApiNotFoundResponse({ description: 'No such form in this tenant (not_found)' })
@Controller('forms')
export class FormsController {
  constructor(
    private readonly forms: FormsService,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly formVersions: FormVersionsService,
  ) {}

  @Post()
  @RequireUser('editor')
  @ApiOperation({ summary: 'Create a draft form' })
  @ApiCreatedResponse({ type: FormDto })
  @ApiConflictResponse({ description: 'The slug is taken in this tenant (conflict)' })
  @ApiForbiddenResponse({
    description: 'The tenant keeps max_forms forms already, archived ones included (quota_exceeded)',
  })
  async create(@Body() body: CreateFormDto): Promise<FormDto> {
    return FormDto.from(await this.forms.create(body));
  }

  @Get()
  @RequireUser()
  @ApiOperation({ summary: 'List forms, newest first' })
  @ApiOkResponse({ type: FormPageDto })
  async list(@Query() query: FormListQueryDto): Promise<FormPageDto> {
    const page = await this.forms.list(query);
    return { data: page.items.map(FormSummaryDto.from), next_cursor: page.next_cursor };
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

  @Delete(':form_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireUser('editor')
  @ApiOperation({
    summary: 'Delete a form: 404 at once; its versions, responses, files and exports are erased in the background',
  })
  @ApiNoContentResponse({ description: 'Deleted (form.deleted)' })
  async delete(@FormId() id: Types.ObjectId): Promise<void> {
    await this.forms.delete(id);
  }

  @Get(':form_id/versions')
  @RequireUser()
  @ApiOperation({ summary: 'Published versions, newest first, without their fields' })
  @ApiOkResponse({ type: FormVersionPageDto })
  async versions(@FormId() id: Types.ObjectId, @Query() query: PageQueryDto): Promise<FormVersionPageDto> {
    const page = await this.formVersions.list(id, query);
    return { data: page.items.map(FormVersionSummaryDto.from), next_cursor: page.next_cursor };
  }

  @Get(':form_id/versions/:version')
  @RequireUser()
  @ApiOperation({ summary: 'One published version with its fields (what its responses were validated against)' })
  @ApiOkResponse({ type: FormVersionDto })
  async version(
    @FormId() id: Types.ObjectId,
    @Param('version', new ParseIntPipe({ exceptionFactory: () => ApiError.notFound('Form version') })) version: number,
  ): Promise<FormVersionDto> {
    return FormVersionDto.from(await this.formVersions.get(id, version));
  }

  @Get(':form_id/public')
  @RateLimited(RateLimitName.PublicRead)
  @ApiOperation({ summary: 'The published version, for rendering the form (no token needed)' })
  @ApiOkResponse({ type: PublicFormDto })
  @ApiConflictResponse({ description: 'Never published (form_not_published)' })
  @ApiGoneResponse({ description: 'Archived (form_archived)' })
  async publicForm(@FormId() id: Types.ObjectId): Promise<PublicFormDto> {
    const form = await this.submissionTargets.publishedForm(id);
    return toPublicForm(form.form_id.toHexString(), form);
  }
}
