import type { ErrorDetail } from '../../infrastructure/http/api-error.js';
import type { FormField } from '../forms/index.js';
import type { SubmissionControls } from './submission.service.js';

/** A web page's form body: each key's text values, in the order they came (a repeated key has many). */
export type FormBodyEntries = Record<string, string[]>;

/** The key a web page sends its idempotency key in (as the `Idempotency-Key` header). */
export const IDEMPOTENCY_KEY_FIELD = '_idempotency_key';
/** The fields the captcha widgets (Turnstile, hCaptcha, reCAPTCHA) add to the form they sit in. */
export const CAPTCHA_TOKEN_FIELDS = ['cf-turnstile-response', 'h-captcha-response', 'g-recaptcha-response'];

/** More values than any form can take (200 fields, a multiselect of 500 options): a broken or hostile body. */
export const MAX_FORM_BODY_VALUES = 2_000;
/** Field keys are at most 64 characters (`tags[]` two more); a longer key names nothing. */
export const MAX_FORM_BODY_KEY_LENGTH = 100;

const CHECKED = new Set(['on', 'true', '1', 'yes']);
const UNCHECKED = new Set(['off', 'false', '0', 'no', '']);
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

export interface ReadFormBody {
  data: Record<string, unknown>;
  controls: Pick<SubmissionControls, 'idempotencyKey' | 'captchaToken'>;
}

/**
 * The `{ data }` a JSON client would have sent, and the controls, read from a form body's text
 * values by each field's type. The values are not validated here: the submission's own checks see
 * them as they would see JSON values, so every rule and message is the same (a number that is not
 * one stays text and is reported "must be a number"; an unknown key is reported as in JSON).
 */
export function readFormBody(fields: FormField[], entries: FormBodyEntries): ReadFormBody {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const controls: ReadFormBody['controls'] = {};
  const grouped = new Map<string, string[]>();
  for (const [rawKey, values] of Object.entries(entries)) {
    if (rawKey === IDEMPOTENCY_KEY_FIELD || CAPTCHA_TOKEN_FIELDS.includes(rawKey)) {
      const value = firstFilled(values);
      if (value === undefined) continue;
      if (rawKey === IDEMPOTENCY_KEY_FIELD) controls.idempotencyKey = value;
      else controls.captchaToken ??= value;
      continue;
    }
    // `tags[]` (PHP's convention) is `tags`: both spellings' values make one list.
    const key = rawKey.endsWith('[]') && byKey.has(rawKey.slice(0, -2)) ? rawKey.slice(0, -2) : rawKey;
    grouped.set(key, [...(grouped.get(key) ?? []), ...values]);
  }
  const data: Record<string, unknown> = {};
  for (const [key, values] of grouped) {
    const field = byKey.get(key);
    // Not a field (the honeypot, or a stranger the checks refuse): kept exactly as sent.
    const value = field ? typedValue(field, values) : values.length === 1 ? values[0] : values;
    // Defined, not assigned: a `__proto__` key is an own (unknown) key the checks refuse, never a prototype.
    if (value !== undefined)
      Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
  }
  for (const field of fields) {
    // An unchecked box is not sent at all: absent means false.
    if (field.type === 'checkbox' && !Object.hasOwn(data, field.key)) data[field.key] = false;
  }
  return { data, controls };
}

/** What a form body's values mean for one field; undefined: absent (an empty text value). */
function typedValue(field: FormField, values: string[]): unknown {
  switch (field.type) {
    case 'checkbox':
      return checkboxValue(values);
    case 'multiselect': {
      const choices = values.filter((choice) => choice !== '');
      return choices.length ? choices : undefined;
    }
    case 'number': {
      const text = single(values);
      if (typeof text !== 'string') return text;
      const trimmed = text.trim();
      return DECIMAL.test(trimmed) ? Number(trimmed) : text;
    }
    default:
      return single(values);
  }
}

/**
 * A box is checked by any of on/true/1/yes (a hidden "false" before it, the usual trick for an
 * explicit "no", is outvoted); unchecked by off/false/0/no. Anything else is kept, to be refused.
 */
function checkboxValue(values: string[]): unknown {
  const normalized = values.map((value) => value.trim().toLowerCase());
  if (normalized.some((value) => CHECKED.has(value))) return true;
  if (normalized.every((value) => UNCHECKED.has(value))) return false;
  return values.length === 1 ? values[0] : values;
}

/** One text value; an empty one is absent; several are kept as a list (the checks refuse it). */
function single(values: string[]): string | string[] | undefined {
  const filled = values.filter((value) => value !== '');
  if (filled.length === 0) return undefined;
  return filled.length === 1 ? filled[0] : filled;
}

function firstFilled(values: string[]): string | undefined {
  return values.find((value) => value !== '');
}

/** What makes a form body too big to read, before any field is: too many values, or too long a key. */
export function formBodyShapeProblem(entries: FormBodyEntries): ErrorDetail | null {
  let count = 0;
  for (const [key, values] of Object.entries(entries)) {
    if (key.length > MAX_FORM_BODY_KEY_LENGTH) {
      return { field: 'body', message: `has a key longer than ${MAX_FORM_BODY_KEY_LENGTH} characters` };
    }
    count += values.length;
    if (count > MAX_FORM_BODY_VALUES) return { field: 'body', message: `has more than ${MAX_FORM_BODY_VALUES} values` };
  }
  return null;
}
