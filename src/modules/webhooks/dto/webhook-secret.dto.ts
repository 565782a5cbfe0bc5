import { ApiProperty } from '@nestjs/swagger';

/** `rotate-secret`'s answer: one of the two places a secret is ever shown. */
export class WebhookSecretDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The new signing secret (Standard Webhooks): `whsec_` + base64 of 32 random bytes',
  })
  secret!: string;
}

/** The test ping's answer. */
export class WebhookTestDto {
  @ApiProperty({ format: 'uuid', description: 'The `webhook.test` event: its `webhook-id` header' })
  event_id!: string;
}
