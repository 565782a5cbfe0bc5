import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { CreateExportDto, ExportDto } from './dto/export.dto.js';
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
  @ApiAcceptedResponse({ description: '{ export_id, status: "queued" }' })
  @ApiConflictResponse({ description: 'Another export of this form is queued or running (export_in_progress)' })
  async create(
    @Param('form_id', new ObjectIdPipe('Form')) formId: Types.ObjectId,
    @Body() _body: CreateExportDto,
  ): Promise<{ export_id: string; status: string }> {
    const created = await this.exports.request(formId);
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
  @ApiOkResponse({ description: 'text/csv (RFC 4180)' })
  @ApiConflictResponse({ description: 'Not completed yet (export_not_ready)' })
  @ApiGoneResponse({ description: 'Erased EXPORT_TTL_HOURS after completion (export_expired)' })
  async download(@ExportId() id: Types.ObjectId): Promise<StreamableFile> {
    const { filename, content } = await this.exports.download(id);
    return new StreamableFile(content, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${filename}"`,
    });
  }
}
