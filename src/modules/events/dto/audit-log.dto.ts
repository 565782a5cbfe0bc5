import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, MaxLength } from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { PageQueryDto } from '../../../infrastructure/http/page-query.dto.js';
import { type EventEnvelope, type EventType, PUBLIC_EVENT_TYPES } from '../event.types.js';

/** `GET /events?type=&entity_id=&from=&to=&limit=&cursor=` */
export class AuditLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PUBLIC_EVENT_TYPES, description: 'Only events of this type' })
  @IsOmittable()
  @IsIn(PUBLIC_EVENT_TYPES)
  type?: EventType;

  @ApiPropertyOptional({ description: 'Only events of this entity (a form, response or user id)' })
  @IsOmittable()
  @IsString()
  @MaxLength(100)
  entity_id?: string;

  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'timestamp at or after' })
  @IsOmittable()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31T23:59:59Z', description: 'timestamp at or before' })
  @IsOmittable()
  @IsISO8601({ strict: true })
  to?: string;
}

class EventMetadataDto {
  @ApiPropertyOptional({
    description: "The server's id of the request that caused it (its X-Request-ID answer header; in the API logs)",
  })
  request_id?: string;
  @ApiPropertyOptional({ description: "The caller's own X-Request-ID, when it sent a sane one" })
  client_request_id?: string;
  @ApiProperty({ enum: ['api', 'worker'] }) source!: string;
  @ApiPropertyOptional({ description: 'The API key that caused it, when a key called (user_id is then null)' })
  api_key_id?: string;
}

/** The contract's envelope, as webhook receivers got it. */
export class EventEnvelopeDto {
  @ApiProperty({ format: 'uuid' }) event_id!: string;
  @ApiProperty({ enum: PUBLIC_EVENT_TYPES }) event_type!: string;
  @ApiProperty({ example: '2026-05-01T12:00:00.000Z' }) timestamp!: string;
  @ApiProperty() tenant_id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Who did it; null for anonymous visitors and API keys' })
  user_id!: string | null;
  @ApiProperty() entity_id!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { response_id: '665f1c2e9b1d8a0012345679', form_id: '665f…' },
  })
  payload!: Record<string, unknown>;
  @ApiProperty({ type: EventMetadataDto }) metadata!: EventMetadataDto;
  @ApiPropertyOptional({ description: 'true once the respondent data of the payload was erased' })
  redacted?: boolean;

  static from(envelope: EventEnvelope): EventEnvelopeDto {
    return envelope;
  }
}

export class AuditLogPageDto {
  @ApiProperty({ type: [EventEnvelopeDto] }) data!: EventEnvelopeDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}
