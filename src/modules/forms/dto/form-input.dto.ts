import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { CAPTCHA_PROVIDERS, type CaptchaProvider } from '../form-captcha.js';
import {
  DEFAULT_MAX_TEXT_LENGTH,
  FIELD_KEY_PATTERN,
  FIELD_TYPES,
  type FieldType,
  MAX_OPTIONS,
  MAX_PATTERN_LENGTH,
} from '../form-field.types.js';
import { AutoresponseDto } from './autoresponse.dto.js';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_FIELDS = 200;

export class FieldDto {
  @ApiProperty({ example: 'email', description: 'Letters, digits and _; starts with a letter' })
  @Matches(FIELD_KEY_PATTERN, { message: 'key must be 1-64 letters, digits or _, starting with a letter' })
  key!: string;

  @ApiProperty({ enum: FIELD_TYPES, example: 'email' }) @IsIn(FIELD_TYPES) type!: FieldType;
  @ApiProperty({ example: 'Your email' }) @IsString() @IsNotEmpty() @MaxLength(200) label!: string;
  @ApiPropertyOptional({ example: true }) @IsOmittable() @IsBoolean() required?: boolean;

  @ApiPropertyOptional({ example: ['red', 'green'], description: 'select and multiselect only' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_OPTIONS)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  options?: string[];

  @ApiPropertyOptional({ description: 'number: smallest value; multiselect: fewest choices' })
  @IsOmittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number;

  @ApiPropertyOptional({ description: 'number: largest value; multiselect: most choices' })
  @IsOmittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number;

  @ApiPropertyOptional({
    example: 500,
    description:
      'Longest value, in characters; required with a pattern on text and textarea fields. With a pattern, ' +
      'RE2 instructions × max_length must stay within 100,000 per field and 500,000 over the form',
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(DEFAULT_MAX_TEXT_LENGTH)
  max_length?: number;

  @ApiPropertyOptional({
    example: '^[A-Z]{2}\\d{4}$',
    description: 'An RE2 expression (no back-references or look-around), checked in time linear in the value',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(MAX_PATTERN_LENGTH)
  pattern?: string;
}

/** A form's captcha, as written: the secret is write-only (answers show `secret_key_set`). */
export class CaptchaSettingDto {
  @ApiProperty({ enum: CAPTCHA_PROVIDERS, example: 'turnstile' }) @IsIn(CAPTCHA_PROVIDERS) provider!: CaptchaProvider;

  @ApiProperty({ example: '0x4AAAAAAAB1cdEfGhIjKlMn', description: "The provider's public site key" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  site_key!: string;

  @ApiPropertyOptional({
    writeOnly: true,
    example: '0x4AAAAAAAB1cdEfGhIjKlMnOpQrStUvWxYz',
    description:
      "The provider's secret key, never shown again. Required when the captcha is new or its provider changes; " +
      'a PATCH that leaves it out keeps the stored secret',
  })
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  secret_key?: string;
}

export class FormSettingsDto {
  @ApiPropertyOptional({ example: false }) @IsOmittable() @IsBoolean() send_notification?: boolean;

  @ApiPropertyOptional({
    example: ['team@example.com'],
    description: "Members' addresses only; empty: the owner's email",
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(20)
  @IsEmail({}, { each: true })
  notification_emails?: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'website',
    description:
      'A hidden input no person fills; a submission that fills it gets the usual 201 and is kept as spam. ' +
      'Not one of the form’s field keys.',
  })
  @IsOptional()
  @Matches(FIELD_KEY_PATTERN, { message: 'honeypot_field must be 1-64 letters, digits or _, starting with a letter' })
  honeypot_field?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: CaptchaSettingDto,
    description: 'Every submission must carry a token the provider accepts (X-Captcha-Token); null turns it off',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => CaptchaSettingDto)
  captcha?: CaptchaSettingDto | null;

  // Autoresponse: the email each respondent gets (see autoresponse.dto.ts).
  @ApiPropertyOptional({
    type: AutoresponseDto,
    nullable: true,
    description: 'An email to the address of the submission’s `email_field` after each accepted submission; null: none',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AutoresponseDto)
  autoresponse?: AutoresponseDto | null;

  // Browser form posts (see "Submitting from a web page"): where the visitor goes afterwards.
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'https://www.example.com/thanks',
    description:
      'After a browser form post was accepted: a 303 here with response_id=<id> added (null: the built-in ' +
      "page). https:// (or http://localhost), on one of the tenant's allowed_origins",
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  success_url?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'https://www.example.com/form-error',
    description:
      'After a browser form post was refused: a 303 here with error=<code> added (null: the built-in ' +
      "page with the problems). https:// (or http://localhost), on one of the tenant's allowed_origins",
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  error_url?: string | null;
}

export class CreateFormDto {
  @ApiProperty({ example: 'Contact us' }) @IsString() @IsNotEmpty() @MaxLength(200) title!: string;

  @ApiPropertyOptional({ example: 'contact-us', description: 'Defaults from the title; unique per tenant' })
  @IsOmittable()
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters and digits separated by single hyphens' })
  @MaxLength(80)
  slug?: string;

  @ApiPropertyOptional({ example: 'We answer within a day' })
  @IsOmittable()
  @IsString()
  @MaxLength(5_000)
  description?: string;

  @ApiPropertyOptional({ type: [FieldDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_FIELDS)
  @ValidateNested({ each: true })
  @Type(() => FieldDto)
  fields?: FieldDto[];

  @ApiPropertyOptional({ type: FormSettingsDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => FormSettingsDto)
  settings?: FormSettingsDto;
}

/** Any subset of a form's editable properties, each validated as on creation. */
export class UpdateFormDto extends PartialType(CreateFormDto) {}
