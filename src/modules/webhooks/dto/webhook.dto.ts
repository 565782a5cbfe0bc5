import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { PageQueryDto } from '../../../infrastructure/http/page-query.dto.js';
import { PUBLIC_EVENT_TYPES } from '../../events/index.js';
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  WEBHOOK_DISABLED_REASONS,
  type WebhookDisabledReason,
} from '../webhook.schema.js';
import type { DeliveryRecord, WebhookRecord } from '../webhooks.repository.js';

const EVENT_TYPES = PUBLIC_EVENT_TYPES;
/** A webhook names at most this many forms. */
const MAX_FORM_IDS = 100;

/** `form_ids`: null (or left out on creation) is every form. */
function FormIds(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({
      type: [String],
      nullable: true,
      description: 'Only events of these forms of this tenant (events of no form still arrive); null: every form',
      example: ['665f1c2e9b1d8a0012345678'],
    })(target, key);
    IsOptional()(target, key);
    IsArray()(target, key);
    ArrayMinSize(1)(target, key);
    ArrayMaxSize(MAX_FORM_IDS)(target, key);
    ArrayUnique()(target, key);
    IsString({ each: true })(target, key);
  };
}

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/forms' }) @IsString() @MaxLength(2048) url!: string;

  @ApiProperty({ enum: EVENT_TYPES, isArray: true, example: ['response.submitted'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events!: string[];

  @FormIds() form_ids?: string[] | null;
}

/** PATCH: every key optional; the URL is checked as on creation. */
export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/forms' })
  @IsOmittable()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, example: ['response.submitted'] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events?: string[];

  @FormIds() form_ids?: string[] | null;

  @ApiPropertyOptional({ description: 'true turns it on again and clears disabled_reason; false turns it off' })
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345680' }) webhook_id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ example: ['response.submitted'] }) events!: string[];
  @ApiProperty({ type: [String], nullable: true, description: 'The forms it gets events of; null: every form' })
  form_ids!: string[] | null;
  @ApiProperty({ description: 'A disabled webhook gets no deliveries' }) enabled!: boolean;
  @ApiProperty({
    enum: WEBHOOK_DISABLED_REASONS,
    nullable: true,
    description: 'failing: every delivery failed for 72 hours (10 at least); gone: the receiver answered 410',
  })
  disabled_reason!: string | null;
  @ApiProperty() created_at!: string;

  static from(webhook: WebhookRecord): WebhookDto {
    return {
      webhook_id: webhook._id.toHexString(),
      url: webhook.url,
      events: webhook.events,
      form_ids: webhook.form_ids ?? null,
      enabled: webhook.active,
      disabled_reason: webhook.active ? null : reasonOf(webhook.disabled_reason),
      created_at: webhook.created_at.toISOString(),
    };
  }
}

/** Webhooks disabled before the reasons were named hold a sentence; only a 410 disabled them then. */
function reasonOf(stored: string | null | undefined): WebhookDisabledReason | null {
  if (!stored) return null;
  return (WEBHOOK_DISABLED_REASONS as readonly string[]).includes(stored) ? (stored as WebhookDisabledReason) : 'gone';
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    description:
      'The signing secret (Standard Webhooks): `whsec_` + base64 of 32 random bytes; shown only here and by rotate-secret',
  })
  secret!: string;
}

export class DeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES }) @IsOmittable() @IsIn(DELIVERY_STATUSES) status?: DeliveryStatus;
}

export class DeliveryDto {
  @ApiProperty() event_id!: string;
  @ApiProperty({ example: 'response.submitted', nullable: true, type: String }) event_type!: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: Number }) response_status!: number | null;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty() created_at!: string;

  static from(delivery: DeliveryRecord): DeliveryDto {
    return {
      event_id: delivery.event_id,
      event_type: delivery.event_type ?? null,
      status: delivery.status,
      attempts: delivery.attempts,
      response_status: delivery.response_status,
      last_error: delivery.last_error,
      created_at: delivery.created_at.toISOString(),
    };
  }
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) data!: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'cursor of the next page; null on the last' })
  next_cursor!: string | null;
}

/** The bulk retry's body: only failed deliveries are retried in bulk. */
export class RetryDeliveriesDto {
  @ApiProperty({ enum: ['failed'] }) @IsIn(['failed']) status!: 'failed';
}

export class RetriedDto {
  @ApiProperty({ description: 'How many failed deliveries of the last 7 days were queued again' }) queued!: number;
}
