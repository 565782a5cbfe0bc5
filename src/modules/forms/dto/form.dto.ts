import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsOmittable } from '../../../infrastructure/http/is-omittable.js';
import { PageQueryDto } from '../../../infrastructure/http/page-query.dto.js';
import { CAPTCHA_PROVIDERS, type CaptchaProvider, captchaView } from '../form-captcha.js';
import type { FormField } from '../form-field.types.js';
import { FORM_STATUSES, type FormStatus } from '../form.schema.js';
import type { FormRecord, FormVersionRecord } from '../forms.repository.js';
import { AutoresponseDto } from './autoresponse.dto.js';
import { FieldDto } from './form-input.dto.js';

export class FormListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FORM_STATUSES }) @IsOmittable() @IsIn(FORM_STATUSES) status?: FormStatus;
}

/** Mongoose omits absent optional properties; the API shows exactly what was defined. */
function fieldsOf(fields: FormField[]): FormField[] {
  return fields.map((field) =>
    Object.fromEntries(Object.entries(field).filter(([, value]) => value !== undefined && value !== null)),
  ) as unknown as FormField[];
}

/** A form's captcha as every answer shows it: the secret stays on the server. */
class CaptchaSettingViewDto {
  @ApiProperty({ enum: CAPTCHA_PROVIDERS, example: 'turnstile' }) provider!: CaptchaProvider;
  @ApiProperty({ example: '0x4AAAAAAAB1cdEfGhIjKlMn' }) site_key!: string;
  @ApiProperty({ example: true, description: 'The secret key is stored (it is never shown)' }) secret_key_set!: true;
}

/** Exactly the three properties, whatever else the stored subdocument holds; null when unset. */
function autoresponseOf(stored: AutoresponseDto | null | undefined): AutoresponseDto | null {
  return stored ? { email_field: stored.email_field, subject: stored.subject, text: stored.text } : null;
}

class FormSettingsViewDto {
  @ApiProperty({ example: false }) send_notification!: boolean;
  @ApiProperty({ example: ['team@example.com'] }) notification_emails!: string[];
  @ApiProperty({ nullable: true, type: String, example: null }) honeypot_field!: string | null;
  @ApiProperty({ nullable: true, type: CaptchaSettingViewDto }) captcha!: CaptchaSettingViewDto | null;
  @ApiProperty({ nullable: true, type: AutoresponseDto }) autoresponse!: AutoresponseDto | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Where an accepted browser post goes' })
  success_url!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Where a refused browser post goes' })
  error_url!: string | null;
}

/** A form in a list: everything but its fields (`GET /forms/:form_id` has them). */
export class FormSummaryDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345678' }) form_id!: string;
  @ApiProperty({ example: 'Contact us' }) title!: string;
  @ApiProperty({ example: 'contact-us' }) slug!: string;
  @ApiProperty({ example: '' }) description!: string;
  @ApiProperty({ enum: FORM_STATUSES }) status!: FormStatus;
  @ApiProperty({ example: 1, description: 'Published version; 0 before the first publish' }) version!: number;
  @ApiProperty({ type: FormSettingsViewDto }) settings!: FormSettingsViewDto;
  @ApiProperty() owner_id!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;

  static from(form: FormRecord): FormSummaryDto {
    return {
      form_id: form._id.toHexString(),
      title: form.title,
      slug: form.slug,
      description: form.description,
      status: form.status,
      version: form.version,
      settings: {
        send_notification: form.settings.send_notification,
        notification_emails: form.settings.notification_emails,
        honeypot_field: form.settings.honeypot_field ?? null,
        captcha: captchaView(form.settings.captcha),
        autoresponse: autoresponseOf(form.settings.autoresponse),
        success_url: form.settings.success_url ?? null,
        error_url: form.settings.error_url ?? null,
      },
      owner_id: form.owner_id,
      created_at: form.created_at.toISOString(),
      updated_at: form.updated_at.toISOString(),
    };
  }
}

export class FormDto extends FormSummaryDto {
  @ApiProperty({ type: [FieldDto] }) fields!: FormField[];

  static override from(form: FormRecord): FormDto {
    return { ...FormSummaryDto.from(form), fields: fieldsOf(form.fields) };
  }
}

export class FormPageDto {
  @ApiProperty({ type: [FormSummaryDto] }) data!: FormSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

/** A published version in a list: everything but its fields. */
export class FormVersionSummaryDto {
  @ApiProperty() form_id!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty() published_at!: string;

  static from(version: FormVersionRecord): FormVersionSummaryDto {
    return {
      form_id: version.form_id.toHexString(),
      version: version.version,
      title: version.title,
      description: version.description,
      published_at: version.published_at.toISOString(),
    };
  }
}

export class FormVersionDto extends FormVersionSummaryDto {
  @ApiProperty({ type: [FieldDto] }) fields!: FormField[];

  static override from(version: FormVersionRecord): FormVersionDto {
    return { ...FormVersionSummaryDto.from(version), fields: fieldsOf(version.fields) };
  }
}

export class FormVersionPageDto {
  @ApiProperty({ type: [FormVersionSummaryDto] }) data!: FormVersionSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

/** What anyone may see of a published form: its published version, nothing of the working copy. */
export class PublicFormDto {
  @ApiProperty() form_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ type: [FieldDto] }) fields!: FormField[];
}

export function toPublicForm(
  formId: string,
  published: Pick<NonNullable<FormRecord['published']>, 'title' | 'description' | 'version' | 'fields'>,
): PublicFormDto {
  return {
    form_id: formId,
    title: published.title,
    description: published.description,
    version: published.version,
    fields: fieldsOf(published.fields),
  };
}
