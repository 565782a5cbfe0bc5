import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';

const USE =
  'Clients send it as `Authorization: Bearer fbk_…`: it works wherever a JWT does, in this tenant, with its ' +
  'role, rate-limited per key (API_KEY_REQUESTS_PER_MINUTE).';

/** API-key management: owners only, with a JWT (a key cannot make, list or revoke keys). */
@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @RequireUser('owner', { apiKeys: false })
  @ApiOperation({
    summary: 'Owner (JWT): make an API key; the answer is the only place the key appears',
    description: USE,
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiBadRequestResponse({ description: 'Invalid name, role or expires_at, e.g. in the past (validation_failed)' })
  async create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { record, key } = await this.keys.create(body);
    return { ...ApiKeyDto.from(record), key };
  }

  @Get()
  @RequireUser('owner', { apiKeys: false })
  @ApiOperation({ summary: "Owner (JWT): the tenant's API keys, newest first (never the keys themselves)" })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { data: (await this.keys.list()).map(ApiKeyDto.from) };
  }

  @Delete(':api_key_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireUser('owner', { apiKeys: false })
  @ApiOperation({ summary: 'Owner (JWT): revoke an API key; every replica refuses it (401) within a second' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such API key in this tenant (not_found)' })
  async revoke(@Param('api_key_id', new ObjectIdPipe('API key')) id: Types.ObjectId): Promise<void> {
    await this.keys.revoke(id);
  }
}
