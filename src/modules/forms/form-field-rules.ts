import type { ErrorDetail } from '../../infrastructure/http/api-error.js';
import { linearPatternProblem } from '../../infrastructure/text/linear-pattern.js';
import type { FieldType, FormField } from './form-field.types.js';

const TEXT_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea', 'email', 'url']);
const RESERVED_KEYS: ReadonlySet<string> = new Set(['constructor', 'prototype']);
const CHOICE_TYPES: ReadonlySet<FieldType> = new Set(['select', 'multiselect']);

/**
 * The rules between a form's fields that per-property validation cannot see. A pattern must run on
 * the linear-time engine: it runs on every submission, against public input.
 */
export function fieldDefinitionProblems(fields: FormField[], path = 'fields'): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    const at = (property: string, message: string) => problems.push({ field: `${path}.${index}.${property}`, message });
    if (seen.has(field.key)) at('key', `duplicate field key '${field.key}'`);
    // Bodies carrying these keys are refused before validation (see BodyShapePipe).
    if (RESERVED_KEYS.has(field.key)) at('key', `'${field.key}' is reserved; choose another key`);
    seen.add(field.key);
    if (CHOICE_TYPES.has(field.type)) {
      if (!field.options?.length) at('options', `a ${field.type} field needs at least one option`);
      else if (new Set(field.options).size !== field.options.length) at('options', 'options must be unique');
    } else if (field.options !== undefined) {
      at('options', `a ${field.type} field has no options`);
    }
    if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
      at('min', 'min must not be greater than max');
    }
    if (
      (field.min !== undefined || field.max !== undefined) &&
      field.type !== 'number' &&
      field.type !== 'multiselect'
    ) {
      at('min', 'min/max apply to number (value) and multiselect (choices) fields only');
    }
    if ((field.max_length !== undefined || field.pattern !== undefined) && !TEXT_TYPES.has(field.type)) {
      at('max_length', 'max_length/pattern apply to text, textarea, email and url fields only');
    }
    if (field.pattern !== undefined) {
      const problem = linearPatternProblem(field.pattern);
      if (problem) at('pattern', problem);
    }
  });
  return problems;
}
