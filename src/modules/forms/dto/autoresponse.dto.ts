import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { FIELD_KEY_PATTERN } from '../form-field.types.js';

export const MAX_AUTORESPONSE_SUBJECT = 200;
export const MAX_AUTORESPONSE_TEXT = 5_000;

/**
 * The email a respondent gets after each accepted submission (see `AutoresponsesService`), as a form's
 * `settings.autoresponse`. Whether `email_field` names an `email` field of the form is checked by the
 * service (it needs the fields: `autoresponseProblems`).
 */
export class AutoresponseDto {
  @ApiProperty({ example: 'email', description: 'The key of one of the form’s fields of type email' })
  @Matches(FIELD_KEY_PATTERN, { message: 'email_field must be 1-64 letters, digits or _, starting with a letter' })
  email_field!: string;

  @ApiProperty({
    example: 'Thanks, {{name}}',
    maxLength: MAX_AUTORESPONSE_SUBJECT,
    description:
      '`{{field_key}}` placeholders take the submission’s values, on one line; unknown or empty ones: nothing',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_AUTORESPONSE_SUBJECT)
  subject!: string;

  @ApiProperty({
    example: 'Hello {{name}},\n\nwe received your message and will answer within a day.',
    maxLength: MAX_AUTORESPONSE_TEXT,
    description: 'Plain text; `{{field_key}}` placeholders as in the subject (escaped in the email’s HTML part)',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_AUTORESPONSE_TEXT)
  text!: string;
}
