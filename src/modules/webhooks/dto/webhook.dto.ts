import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { PUBLIC_EVENT_TYPES } from '../../events/index.js';
import type { DeliveryRecord, WebhookRecord } from '../webhooks.repository.js';

const EVENT_TYPES = PUBLIC_EVENT_TYPES;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/forms' }) @IsString() @MaxLength(2048) url!: string;

  @ApiProperty({ enum: EVENT_TYPES, isArray: true, example: ['response.submitted'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events!: string[];
}

export class WebhookDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345680' }) webhook_id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ example: ['response.submitted'] }) events!: string[];
  @ApiProperty({ description: '410 from the receiver disables it' }) active!: boolean;
  @ApiProperty() created_at!: string;

  static from(webhook: WebhookRecord): WebhookDto {
    return {
      webhook_id: webhook._id.toHexString(),
      url: webhook.url,
      events: webhook.events,
      active: webhook.active,
      created_at: webhook.created_at.toISOString(),
    };
  }
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    description:
      'The signing secret (Standard Webhooks): `whsec_` + base64 of 32 random bytes; shown only here and by rotate-secret',
  })
  secret!: string;
}

export class DeliveryDto {
  @ApiProperty() event_id!: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: Number }) response_status!: number | null;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty() created_at!: string;

  static from(delivery: DeliveryRecord): DeliveryDto {
    return {
      event_id: delivery.event_id,
      status: delivery.status,
      attempts: delivery.attempts,
      response_status: delivery.response_status,
      last_error: delivery.last_error,
      created_at: delivery.created_at.toISOString(),
    };
  }
}
