import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { CreateExportDto, ExportCreatedDto, ExportDto } from './dto/export.dto.js';
import { submittedRange } from './export-range.js';
import { ExportsService } from './exports.service.js';

const ExportId = () => Param('export_id', new ObjectIdPipe('Export'));

@ApiTags('exports')
@ApiNotFoundResponse({ description: 'No such form or export in this tenant (not_found)' })
@Controller()
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post('forms/:form_id/exports')
  @RequireUser('editor')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: ExportCreatedDto, description: 'Queued; poll GET /exports/:export_id' })
  @ApiBadRequestResponse({
    description: 'Unknown format, a from/to that is not ISO 8601, or to before from (validation_failed)',
  })
  @ApiConflictResponse({ description: 'Another export of this form is queued or running (export_in_progress)' })
  async create(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Body() body: CreateExportDto,
  ): Promise<ExportCreatedDto> {
    const created = await this.exports.request(formId, { format: body.format, ...submittedRange(body.from, body.to) });
    return { export_id: created._id.toHexString(), status: created.status };
  }

  @Get('exports/:export_id')
  @RequireUser()
  @ApiOkResponse({ type: ExportDto })
  async get(@ExportId() id: Types.ObjectId): Promise<ExportDto> {
    return ExportDto.from(await this.exports.get(id));
  }

  @Get('exports/:export_id/download')
  @RequireUser()
  @ApiProduces('text/csv', 'application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({
    description:
      "The file, by the export's format: csv (text/csv; charset=utf-8, RFC 4180, UTF-8 BOM), json (application/json, an array of responses) or xlsx",
  })
  @ApiConflictResponse({ description: 'Not completed yet (export_not_ready)' })
  @ApiGoneResponse({ description: 'Erased EXPORT_TTL_HOURS after completion (export_expired)' })
  async download(@ExportId() id: Types.ObjectId): Promise<StreamableFile> {
    const { filename, contentType, content } = await this.exports.download(id);
    return new StreamableFile(content, {
      type: contentType,
      disposition: `attachment; filename="${filename}"`,
    });
  }
}
