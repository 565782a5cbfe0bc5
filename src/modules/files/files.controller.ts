import { Controller, Get, Param, Post, Req, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { FileDto } from './dto/file.dto.js';
import { FilesService } from './files.service.js';
import { uploadedPart } from './uploaded-part.js';

@ApiTags('files')
@Controller('files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post()
  @RequireUser('editor')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiCreatedResponse({ type: FileDto, description: 'Over FILE_MAX_BYTES: 413 payload_too_large' })
  async upload(@Req() request: FastifyRequest): Promise<FileDto> {
    return FileDto.from(await this.files.upload(await uploadedPart(request)));
  }

  @Get(':file_id')
  @RequireUser()
  @ApiOkResponse({ description: 'The bytes, with the recorded content type, as an attachment' })
  @ApiNotFoundResponse({ description: 'No such file in this tenant (not_found)' })
  async download(@Param('file_id', new ObjectIdPipe('File')) id: Types.ObjectId): Promise<StreamableFile> {
    const { file, content } = await this.files.open(id);
    return new StreamableFile(content, {
      type: file.content_type,
      length: file.size,
      disposition: `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    });
  }
}
