import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Types } from 'mongoose';
import { CAPTCHA_PROVIDERS, type CaptchaProvider } from './form-captcha.js';
import { FIELD_TYPES, type FieldType } from './form-field.types.js';

export const FORM_STATUSES = ['draft', 'published', 'archived'] as const;
export type FormStatus = (typeof FORM_STATUSES)[number];

@Schema({ _id: false, versionKey: false })
export class FormFieldDocument {
  @Prop({ required: true }) key!: string;
  @Prop({ type: String, required: true, enum: FIELD_TYPES }) type!: FieldType;
  @Prop({ required: true }) label!: string;
  @Prop() required?: boolean;
  @Prop({ type: [String], default: undefined }) options?: string[];
  @Prop() min?: number;
  @Prop() max?: number;
  @Prop() max_length?: number;
  @Prop() pattern?: string;
}
const FormFieldSchema = SchemaFactory.createForClass(FormFieldDocument);

/** A form's captcha; `secret_key` never leaves the server (answers show `secret_key_set`). */
@Schema({ _id: false, versionKey: false })
export class FormCaptchaDocument {
  @Prop({ type: String, required: true, enum: CAPTCHA_PROVIDERS }) provider!: CaptchaProvider;
  @Prop({ required: true }) site_key!: string;
  @Prop({ required: true }) secret_key!: string;
}

/** `settings.autoresponse`: the email each respondent gets (see `AutoresponseDto`). */
@Schema({ _id: false, versionKey: false })
export class AutoresponseDocument {
  @Prop({ required: true }) email_field!: string;
  @Prop({ required: true }) subject!: string;
  @Prop({ required: true }) text!: string;
}

@Schema({ _id: false, versionKey: false })
export class FormSettingsDocument {
  @Prop({ default: false }) send_notification!: boolean;
  @Prop({ type: [String], default: [] }) notification_emails!: string[];
  /** A field key no person fills: a submission that fills it is a bot's, answered 201 and kept as spam. */
  @Prop({ type: String, default: null }) honeypot_field!: string | null;
  /** Every submission must carry a token this provider accepts (`SubmissionService`'s captcha step). */
  @Prop({ type: SchemaFactory.createForClass(FormCaptchaDocument), default: null })
  captcha!: FormCaptchaDocument | null;

  @Prop({ type: SchemaFactory.createForClass(AutoresponseDocument), default: null })
  autoresponse!: AutoresponseDocument | null;
  /** Where a browser goes after its form post was accepted (`response_id` added); null: the built-in page. */
  @Prop({ type: String, default: null }) success_url!: string | null;
  /** Where a browser goes after its form post was refused (`error` added); null: the built-in page. */
  @Prop({ type: String, default: null }) error_url!: string | null;
}

/** What submissions validate against: a copy of the form taken when it was last published. */
@Schema({ _id: false, versionKey: false })
export class PublishedSnapshot {
  @Prop({ required: true }) version!: number;
  @Prop({ required: true }) title!: string;
  @Prop({ default: '' }) description!: string;
  @Prop({ type: [FormFieldSchema], default: [] }) fields!: FormFieldDocument[];
  @Prop({ required: true }) published_at!: Date;
}
export const PublishedSnapshotSchema = SchemaFactory.createForClass(PublishedSnapshot);

@Schema({ collection: 'forms', timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false })
export class Form {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true, trim: true }) title!: string;
  @Prop({ required: true }) slug!: string;
  @Prop({ default: '' }) description!: string;
  @Prop({ type: String, required: true, enum: FORM_STATUSES, default: 'draft' }) status!: FormStatus;
  /** The published version number; 0 until the first publish. */
  @Prop({ required: true, default: 0 }) version!: number;
  /** The working copy editors change; submissions never see it before it is published. */
  @Prop({ type: [FormFieldSchema], default: [] }) fields!: FormFieldDocument[];
  @Prop({ type: SchemaFactory.createForClass(FormSettingsDocument), default: () => ({}) })
  settings!: FormSettingsDocument;
  @Prop({ required: true }) owner_id!: string;
  @Prop({ type: PublishedSnapshotSchema }) published?: PublishedSnapshot;
  /** Bumped by every change, so publishing can tell it snapshots exactly what it read. */
  @Prop({ required: true, default: 0 }) revision!: number;
  /** Set by a deletion: from then on it answers 404 everywhere, until its erasure removes it. */
  @Prop({ type: Date, default: undefined }) deleted_at?: Date | null;
  created_at!: Date;
  updated_at!: Date;
}

export const FormSchema = SchemaFactory.createForClass(Form);
FormSchema.index({ tenant_id: 1, slug: 1 }, { unique: true });
FormSchema.index({ tenant_id: 1, created_at: -1, _id: -1 });
FormSchema.index({ tenant_id: 1, status: 1, created_at: -1, _id: -1 });

/** `form_versions`: one immutable snapshot per publish, kept for responses of older versions. */
@Schema({ collection: 'form_versions', versionKey: false })
export class FormVersion {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true }) form_id!: Types.ObjectId;
  @Prop({ required: true }) version!: number;
  @Prop({ required: true }) title!: string;
  @Prop({ default: '' }) description!: string;
  @Prop({ type: [FormFieldSchema], default: [] }) fields!: FormFieldDocument[];
  @Prop({ required: true }) published_at!: Date;
}

export const FormVersionSchema = SchemaFactory.createForClass(FormVersion);
FormVersionSchema.index({ tenant_id: 1, form_id: 1, version: -1 }, { unique: true });

/** `form_counters`: a form's accepted responses, kept apart so counting never rewrites the form. */
@Schema({ collection: 'form_counters', versionKey: false })
export class FormCounter {
  /** The form's id. */
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true, default: 0 }) responses!: number;
}

export const FormCounterSchema = SchemaFactory.createForClass(FormCounter);
FormCounterSchema.index({ tenant_id: 1 });
