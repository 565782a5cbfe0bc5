import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Types } from 'mongoose';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { ApiOkListResponse } from '../../infrastructure/http/api-list-response.js';
import { ObjectIdPipe } from '../../infrastructure/http/object-id.pipe.js';
import { WebhookSecretDto, WebhookTestDto } from './dto/webhook-secret.dto.js';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeliveriesQueryDto,
  DeliveryDto,
  DeliveryPageDto,
  RetriedDto,
  RetryDeliveriesDto,
  UpdateWebhookDto,
  WebhookDto,
} from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

const WebhookId = () => Param('webhook_id', new ObjectIdPipe('Webhook'));

@ApiTags('webhooks')
@ApiForbiddenResponse({ description: 'The tenant feature `webhooks` is off (feature_disabled)' })
@ApiNotFoundResponse({ description: 'No such webhook in this tenant (not_found)' })
@RequireUser('owner')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Subscribe a URL to events; deliveries are signed with the returned secret' })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  async create(@Body() body: CreateWebhookDto): Promise<CreatedWebhookDto> {
    this.webhooks.assertEnabled();
    const webhook = await this.webhooks.create(body);
    return { ...WebhookDto.from(webhook), secret: webhook.secret };
  }

  @Get()
  @ApiOkListResponse(WebhookDto)
  async list(): Promise<{ data: WebhookDto[] }> {
    this.webhooks.assertEnabled();
    return { data: (await this.webhooks.list()).map(WebhookDto.from) };
  }

  @Get(':webhook_id')
  @ApiOkResponse({ type: WebhookDto })
  async get(@WebhookId() id: Types.ObjectId): Promise<WebhookDto> {
    this.webhooks.assertEnabled();
    return WebhookDto.from(await this.webhooks.get(id));
  }

  @Patch(':webhook_id')
  @ApiOperation({ summary: 'Change the URL, events or forms, or turn the webhook on or off' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiBadRequestResponse({ description: 'An internal URL or a form of no such id in this tenant (validation_failed)' })
  async update(@WebhookId() id: Types.ObjectId, @Body() body: UpdateWebhookDto): Promise<WebhookDto> {
    this.webhooks.assertEnabled();
    return WebhookDto.from(await this.webhooks.update(id, body));
  }

  @Delete(':webhook_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async delete(@WebhookId() id: Types.ObjectId): Promise<void> {
    this.webhooks.assertEnabled();
    await this.webhooks.delete(id);
  }

  @Get(':webhook_id/deliveries')
  @ApiOperation({ summary: 'Its deliveries, newest first, by status' })
  @ApiOkResponse({ type: DeliveryPageDto })
  async deliveries(@WebhookId() id: Types.ObjectId, @Query() query: DeliveriesQueryDto): Promise<DeliveryPageDto> {
    this.webhooks.assertEnabled();
    const page = await this.webhooks.deliveries(id, query);
    return { data: page.items.map(DeliveryDto.from), next_cursor: page.next_cursor };
  }

  @Post(':webhook_id/deliveries/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue every failed delivery of the last 7 days again' })
  @ApiAcceptedResponse({ type: RetriedDto })
  @ApiConflictResponse({ description: 'The webhook is disabled: enable it first (webhook_disabled)' })
  async retryFailed(@WebhookId() id: Types.ObjectId, @Body() _body: RetryDeliveriesDto): Promise<RetriedDto> {
    this.webhooks.assertEnabled();
    return { queued: await this.webhooks.retryFailed(id) };
  }

  @Post(':webhook_id/deliveries/:event_id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a delivery again' })
  @ApiAcceptedResponse()
  @ApiConflictResponse({ description: 'The webhook is disabled: enable it first (webhook_disabled)' })
  async retry(@WebhookId() id: Types.ObjectId, @Param('event_id') eventId: string): Promise<void> {
    this.webhooks.assertEnabled();
    await this.webhooks.retry(id, eventId);
  }

  @Post(':webhook_id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'A new secret: deliveries carry signatures by it and the old one for 24 hours, then by it alone',
  })
  @ApiOkResponse({ type: WebhookSecretDto })
  async rotateSecret(@WebhookId() id: Types.ObjectId): Promise<WebhookSecretDto> {
    this.webhooks.assertEnabled();
    return { secret: await this.webhooks.rotateSecret(id) };
  }

  @Post(':webhook_id/test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send a webhook.test event to this webhook alone, even a disabled one' })
  @ApiAcceptedResponse({ type: WebhookTestDto })
  async test(@WebhookId() id: Types.ObjectId): Promise<WebhookTestDto> {
    this.webhooks.assertEnabled();
    return { event_id: await this.webhooks.test(id) };
  }
}
