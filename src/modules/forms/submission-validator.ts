import { isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import type { ErrorDetail } from '../../infrastructure/http/api-error.js';
import { matchesLinearPattern } from '../../infrastructure/text/linear-pattern.js';
import { affordableLengths } from '../../infrastructure/text/pattern-budget.js';
import {
  DEFAULT_MAX_TEXT_LENGTH,
  type FormField,
  MAX_EMAIL_LENGTH,
  MAX_URL_LENGTH,
  TEXT_TYPES,
  TYPE_MAX_LENGTH,
} from './form-field.types.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A body may hold thousands of unknown keys; naming this many is enough to fix the client. */
const MAX_UNKNOWN_KEYS_REPORTED = 20;

/**
 * Submissions validate against the same field objects for as long as the form stays cached, so the
 * lookups derived from them are kept with them (and go when they go).
 */
const optionSets = new WeakMap<FormField, ReadonlySet<string>>();
const patternLimitsOf = new WeakMap<FormField[], ReadonlyMap<FormField, number>>();

export interface SubmissionCheck {
  problems: ErrorDetail[];
  /** Values of `file` fields: they must name files of the tenant, which the caller checks. */
  fileIds: { field: string; id: string }[];
}

const isBlank = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * Checks `data` against the fields and reports every problem at once, each under `data.<key>`. Every
 * check does bounded work: lengths and counts are checked before anything that grows with them
 * (patterns, option look-ups), and the patterns together stay within one submission's budget.
 */
export function checkSubmission(fields: FormField[], data: Record<string, unknown>): SubmissionCheck {
  const problems: ErrorDetail[] = [];
  const fileIds: SubmissionCheck['fileIds'] = [];
  const known = new Set<string>();
  const patternLimits = patternLengthLimits(fields);
  for (const field of fields) {
    known.add(field.key);
    const path = `data.${field.key}`;
    const value = data[field.key];
    if (isBlank(value)) {
      if (field.required) problems.push({ field: path, message: 'is required' });
      continue;
    }
    const problem = valueProblem(field, value, patternLimits.get(field));
    if (problem) problems.push({ field: path, message: problem });
    else if (field.type === 'file') fileIds.push({ field: path, id: value as string });
  }
  const unknown = Object.keys(data).filter((key) => !known.has(key));
  for (const key of unknown.slice(0, MAX_UNKNOWN_KEYS_REPORTED)) {
    problems.push({ field: `data.${key}`, message: 'is not a field of this form' });
  }
  if (unknown.length > MAX_UNKNOWN_KEYS_REPORTED) {
    const more = unknown.length - MAX_UNKNOWN_KEYS_REPORTED;
    problems.push({ field: 'data', message: `has ${more} more keys that are not fields of this form` });
  }
  return { problems, fileIds };
}

function valueProblem(field: FormField, value: unknown, patternLimit: number | undefined): string | null {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email':
    case 'url':
      return textProblem(field, value, patternLimit);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
      return null;
    case 'select':
      return typeof value === 'string' && optionsOf(field).has(value) ? null : 'must be one of the options';
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

/** Length first, then the type's own check, then the pattern, which only ever sees a bounded value. */
function textProblem(field: FormField, value: unknown, patternLimit: number | undefined): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const maxLength = Math.min(field.max_length ?? DEFAULT_MAX_TEXT_LENGTH, patternLimit ?? Infinity);
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (field.type === 'email' && (value.length > MAX_EMAIL_LENGTH || !EMAIL.test(value))) {
    return 'must be an email';
  }
  if (field.type === 'url' && !isWebUrl(value)) return 'must be an http(s) URL';
  // A pattern saved before patterns had to be linear-time (null) is not run: never a backtracking engine.
  if (field.pattern !== undefined && matchesLinearPattern(field.pattern, value) === false) {
    return 'does not match the pattern';
  }
  return null;
}

/**
 * The count first (never more choices than `max` or than there are options: more would repeat or
 * name a stranger), then each choice, looked up in a set.
 */
function multiselectProblem(field: FormField, value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be a list of the options';
  const options = optionsOf(field);
  const most = Math.min(field.max ?? Infinity, options.size);
  if (value.length > most) return `must have at most ${most} choices`;
  if (!value.every((choice) => typeof choice === 'string' && options.has(choice))) {
    return 'must be a list of the options';
  }
  if (new Set(value).size !== value.length) return 'must not repeat an option';
  if (field.min !== undefined && value.length < field.min) return `must have at least ${field.min} choices`;
  return null;
}

function optionsOf(field: FormField): ReadonlySet<string> {
  let options = optionSets.get(field);
  if (!options) optionSets.set(field, (options = new Set(field.options ?? [])));
  return options;
}

/**
 * The fields whose pattern needs a shorter value than the field itself allows: only forms stored
 * before patterns had a budget (a pattern without max_length, or too costly for it, or too many such
 * fields) have any. Their values are cut to what the budget affords (pattern-budget.ts), so no
 * stored form can make one submission's pattern checks cost more than the budget.
 */
function patternLengthLimits(fields: FormField[]): ReadonlyMap<FormField, number> {
  const cached = patternLimitsOf.get(fields);
  if (cached) return cached;
  const patterned = fields.filter(
    (field): field is FormField & { pattern: string } => field.pattern !== undefined && TEXT_TYPES.has(field.type),
  );
  const longest = patterned.map((field) =>
    Math.min(field.max_length ?? DEFAULT_MAX_TEXT_LENGTH, TYPE_MAX_LENGTH[field.type] ?? Infinity),
  );
  const affordable = affordableLengths(
    patterned.map((field, index) => ({ pattern: field.pattern, length: longest[index] })),
  );
  const limits = new Map<FormField, number>();
  patterned.forEach((field, index) => {
    const limit = affordable[index];
    if (limit !== null && limit < longest[index]) limits.set(field, limit);
  });
  patternLimitsOf.set(fields, limits);
  return limits;
}

function isCalendarDate(value: string): boolean {
  if (value.length !== 10) return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(match[3]);
}

function isWebUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
