/** A form's field definitions, as the contract describes them; the submission validator reads them too. */

export const FIELD_TYPES = [
  'text',
  'textarea',
  'email',
  'number',
  'select',
  'multiselect',
  'checkbox',
  'date',
  'url',
  'file',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const MAX_PATTERN_LENGTH = 500;

/** Without a max_length, no text value may be longer than this (nor may max_length be). */
export const DEFAULT_MAX_TEXT_LENGTH = 100_000;

/** An email address is at most 254 characters (RFC 5321); a URL we accept at most 2,048. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_URL_LENGTH = 2048;

/** Types whose own check refuses longer values before any pattern runs. */
export const TYPE_MAX_LENGTH: Readonly<Partial<Record<FieldType, number>>> = {
  email: MAX_EMAIL_LENGTH,
  url: MAX_URL_LENGTH,
};

/** The types whose values are text: the only ones a max_length or a pattern applies to. */
export const TEXT_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea', 'email', 'url']);

/** `select` and `multiselect` options, at most this many per field. */
export const MAX_OPTIONS = 500;

/** One field of a form, as the contract describes it. */
export interface FormField {
  key: string;
  type: FieldType;
  label: string;
  required?: boolean;
  options?: string[];
  min?: number;
  max?: number;
  max_length?: number;
  pattern?: string;
}
