import type { ErrorDetail } from '../../infrastructure/http/api-error.js';
import type { FormField } from '../forms/form-field.types.js';
import { isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import { matchesLinearPattern } from '../../infrastructure/text/linear-pattern.js';

/** Without a form-defined max_length, no single text value may be larger than this. */
const DEFAULT_MAX_TEXT_LENGTH = 100_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface SubmissionCheck {
  problems: ErrorDetail[];
  /** Values of `file` fields: they must name files of the tenant, which the caller checks. */
  fileIds: { field: string; id: string }[];
}

const isBlank = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** Checks `data` against the fields and reports every problem at once, each under `data.<key>`. */
export function checkSubmission(fields: FormField[], data: Record<string, unknown>): SubmissionCheck {
  const problems: ErrorDetail[] = [];
  const fileIds: SubmissionCheck['fileIds'] = [];
  const known = new Set<string>();
  for (const field of fields) {
    known.add(field.key);
    const path = `data.${field.key}`;
    const value = data[field.key];
    if (isBlank(value)) {
      if (field.required) problems.push({ field: path, message: 'is required' });
      continue;
    }
    const problem = valueProblem(field, value);
    if (problem) problems.push({ field: path, message: problem });
    else if (field.type === 'file') fileIds.push({ field: path, id: value as string });
  }
  for (const key of Object.keys(data)) {
    if (!known.has(key)) problems.push({ field: `data.${key}`, message: 'is not a field of this form' });
  }
  return { problems, fileIds };
}

function valueProblem(field: FormField, value: unknown): string | null {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email':
    case 'url':
      return textProblem(field, value);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
      return null;
    case 'select':
      return typeof value === 'string' && field.options?.includes(value) ? null : 'must be one of the options';
    case 'multiselect':
      return multiselectProblem(field, value);
    case 'checkbox':
      if (typeof value !== 'boolean') return 'must be true or false';
      return field.required && !value ? 'must be checked' : null;
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? null : 'must be a date (YYYY-MM-DD)';
    case 'file':
      return isObjectIdHex(value) ? null : 'must be a file_id';
  }
}

function textProblem(field: FormField, value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const maxLength = field.max_length ?? DEFAULT_MAX_TEXT_LENGTH;
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (field.type === 'email' && (value.length > 254 || !EMAIL.test(value))) return 'must be an email';
  if (field.type === 'url' && !isWebUrl(value)) return 'must be an http(s) URL';
  // A pattern saved before patterns had to be linear-time (null) is not run: never a backtracking engine.
  if (field.pattern !== undefined && matchesLinearPattern(field.pattern, value) === false) {
    return 'does not match the pattern';
  }
  return null;
}

function multiselectProblem(field: FormField, value: unknown): string | null {
  if (
    !Array.isArray(value) ||
    !value.every((choice) => typeof choice === 'string' && field.options?.includes(choice))
  ) {
    return 'must be a list of the options';
  }
  if (new Set(value).size !== value.length) return 'must not repeat an option';
  if (field.min !== undefined && value.length < field.min) return `must have at least ${field.min} choices`;
  if (field.max !== undefined && value.length > field.max) return `must have at most ${field.max} choices`;
  return null;
}

function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(match[3]);
}

function isWebUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
