import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../../infrastructure/http/page-query.dto.js';
import type { FormField } from '../form-field.types.js';
import { FORM_STATUSES, type FormStatus } from '../form.schema.js';
import type { FormRecord, FormVersionRecord } from '../forms.repository.js';
import { FieldDto, FormSettingsDto } from './form-input.dto.js';

export class FormListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FORM_STATUSES }) @IsOptional() @IsIn(FORM_STATUSES) status?: FormStatus;
}

/** Mongoose omits absent optional properties; the API shows exactly what was defined. */
function fieldsOf(fields: FormField[]): FormField[] {
  return fields.map((field) =>
    Object.fromEntries(Object.entries(field).filter(([, value]) => value !== undefined && value !== null)),
  ) as unknown as FormField[];
}

export class FormDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345678' }) form_id!: string;
  @ApiProperty({ example: 'Contact us' }) title!: string;
  @ApiProperty({ example: 'contact-us' }) slug!: string;
  @ApiProperty({ example: '' }) description!: string;
  @ApiProperty({ enum: FORM_STATUSES }) status!: FormStatus;
  @ApiProperty({ example: 1, description: 'Published version; 0 before the first publish' }) version!: number;
  @ApiProperty({ type: [FieldDto] }) fields!: FormField[];
  @ApiProperty({ type: FormSettingsDto }) settings!: { send_notification: boolean; notification_emails: string[] };
  @ApiProperty() owner_id!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;

  static from(form: FormRecord): FormDto {
    return {
      form_id: form._id.toHexString(),
      title: form.title,
      slug: form.slug,
      description: form.description,
      status: form.status,
      version: form.version,
      fields: fieldsOf(form.fields),
      settings: {
        send_notification: form.settings.send_notification,
        notification_emails: form.settings.notification_emails,
      },
      owner_id: form.owner_id,
      created_at: form.created_at.toISOString(),
      updated_at: form.updated_at.toISOString(),
    };
  }
}

export class FormPageDto {
  @ApiProperty({ type: [FormDto] }) data!: FormDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

export class FormVersionDto {
  @ApiProperty() form_id!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [FieldDto] }) fields!: FormField[];
  @ApiProperty() published_at!: string;

  static from(version: FormVersionRecord): FormVersionDto {
    return {
      form_id: version.form_id.toHexString(),
      version: version.version,
      title: version.title,
      description: version.description,
      fields: fieldsOf(version.fields),
      published_at: version.published_at.toISOString(),
    };
  }
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
