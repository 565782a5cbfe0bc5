import type { ErrorDetail } from '../../infrastructure/http/api-error.js';
import { linearPatternProblem } from '../../infrastructure/text/linear-pattern.js';
import {
  affordableLength,
  PATTERN_COST_PER_FIELD,
  PATTERN_COST_PER_SUBMISSION,
  patternCost,
} from '../../infrastructure/text/pattern-budget.js';
import { type FieldType, type FormField, TEXT_TYPES, TYPE_MAX_LENGTH } from './form-field.types.js';

const RESERVED_KEYS: ReadonlySet<string> = new Set(['constructor', 'prototype']);
const CHOICE_TYPES: ReadonlySet<FieldType> = new Set(['select', 'multiselect']);

/**
 * The rules between a form's fields that per-property validation cannot see. A pattern must run on
 * the linear-time engine, within a budget per field and per form (pattern-budget.ts): it runs on
 * every submission, against public input.
 */
export function fieldDefinitionProblems(fields: FormField[], path = 'fields'): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  let formPatternCost = 0;
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
      // Other types are refused above; no budget to add for them.
      const checked = !problem && TEXT_TYPES.has(field.type);
      const overBudget = checked ? patternBudgetProblem(field, field.pattern) : null;
      if (problem) at('pattern', problem);
      else if (overBudget) at('max_length', overBudget);
      else if (checked) formPatternCost += patternCost(field.pattern, longestValue(field)) ?? 0;
    }
  });
  if (formPatternCost > PATTERN_COST_PER_SUBMISSION) {
    problems.push({
      field: path,
      message:
        `checking this form's patterns costs ${formPatternCost.toLocaleString('en-US')} per submission ` +
        `(RE2 instructions × max_length, over every patterned field), at most ` +
        `${PATTERN_COST_PER_SUBMISSION.toLocaleString('en-US')}; lower some max_length or simplify some patterns`,
    });
  }
  return problems;
}

/** The longest value a text field lets through to its pattern: its max_length, or its type's own bound. */
function longestValue(field: FormField): number {
  return Math.min(field.max_length ?? Infinity, TYPE_MAX_LENGTH[field.type] ?? Infinity);
}

/**
 * A pattern costs its program size × the longest value it may see: it needs a bounded value, and that
 * bound within the per-field budget. The message names the largest max_length the pattern allows.
 */
function patternBudgetProblem(field: FormField, pattern: string): string | null {
  const longest = longestValue(field);
  const affordable = affordableLength(pattern) ?? 0;
  if (longest === Infinity) {
    return `a field with a pattern needs a max_length (at most ${affordable.toLocaleString('en-US')} with this pattern)`;
  }
  if ((patternCost(pattern, longest) ?? 0) <= PATTERN_COST_PER_FIELD) return null;
  return (
    `max_length must be at most ${affordable.toLocaleString('en-US')} with this pattern: RE2 instructions × ` +
    `max_length may be at most ${PATTERN_COST_PER_FIELD.toLocaleString('en-US')} per field`
  );
}
