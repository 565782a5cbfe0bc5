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
