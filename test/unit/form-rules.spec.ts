import { describe, expect, it } from '@jest/globals';
import { fieldDefinitionProblems } from '../../src/modules/forms/form-field-rules.js';
import type { FormField } from '../../src/modules/forms/form-field.types.js';
import { slugify } from '../../src/modules/forms/form-slug.js';
import { checkSubmission } from '../../src/modules/forms/submission-validator.js';

// 100 RE2 instructions: the pattern of the form that held the event loop for 2.7 s.
const ATTACK = '[a-z]{97}$';
const textField = (key: string, extra: Partial<FormField> = {}): FormField => ({
  key,
  type: 'text',
  label: key,
  ...extra,
});

describe('slugify', () => {
  it.each([
    ['Contact Us', 'contact-us'],
    ['  Crème brûlée -- orders!  ', 'creme-brulee-orders'],
    ['日本語', 'form'],
    ['x'.repeat(80), 'x'.repeat(60)],
  ])('%s → %s', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });
});

describe('checkSubmission', () => {
  it('skips blank optional values and reports blank required ones', () => {
    const fields = [
      { key: 'a', type: 'text' as const, label: 'A' },
      { key: 'b', type: 'multiselect' as const, label: 'B', options: ['x'], required: true },
      { key: 'c', type: 'number' as const, label: 'C', required: true },
    ];
    expect(checkSubmission(fields, { a: '', b: [], c: null }).problems).toEqual([
      { field: 'data.b', message: 'is required' },
      { field: 'data.c', message: 'is required' },
    ]);
  });

  it('collects file ids for the caller to check and refuses non-finite numbers and repeated choices', () => {
    const fields = [
      { key: 'cv', type: 'file' as const, label: 'CV' },
      { key: 'n', type: 'number' as const, label: 'N' },
      { key: 'm', type: 'multiselect' as const, label: 'M', options: ['x', 'y'], min: 1 },
    ];
    const result = checkSubmission(fields, { cv: '0123456789abcdef01234567', n: Number.NaN, m: ['x', 'x'] });
    expect(result.fileIds).toEqual([{ field: 'data.cv', id: '0123456789abcdef01234567' }]);
    expect(result.problems).toEqual([
      { field: 'data.n', message: 'must be a number' },
      { field: 'data.m', message: 'must not repeat an option' },
    ]);
  });
});

describe('pattern budget when a form is saved', () => {
  it('refuses the form that held the event loop: ten patterned fields without max_length', () => {
    const fields = Array.from({ length: 10 }, (_, index) => textField(`f${index}`, { pattern: ATTACK }));
    const problems = fieldDefinitionProblems(fields);
    expect(problems).toHaveLength(10);
    expect(problems[0]).toEqual({
      field: 'fields.0.max_length',
      message: 'a field with a pattern needs a max_length (at most 1,000 with this pattern)',
    });
  });

  it('refuses a max_length the pattern cannot afford, and accepts the largest it can', () => {
    expect(fieldDefinitionProblems([textField('a', { pattern: ATTACK, max_length: 1_001 })])).toEqual([
      {
        field: 'fields.0.max_length',
        message:
          'max_length must be at most 1,000 with this pattern: RE2 instructions × max_length may be at most 100,000 per field',
      },
    ]);
    expect(fieldDefinitionProblems([textField('a', { pattern: ATTACK, max_length: 1_000 })])).toEqual([]);
  });

  it("counts an email's or a URL's own bound as its max_length", () => {
    const email: FormField = { key: 'e', type: 'email', label: 'E', pattern: ATTACK };
    expect(fieldDefinitionProblems([email])).toEqual([]);
    const url: FormField = { key: 'u', type: 'url', label: 'U', pattern: ATTACK };
    expect(fieldDefinitionProblems([url]).map((problem) => problem.field)).toEqual(['fields.0.max_length']);
    expect(fieldDefinitionProblems([{ ...url, max_length: 1_000 }])).toEqual([]);
  });

  it('refuses a form whose patterns together cost more than one submission may', () => {
    const five = Array.from({ length: 5 }, (_, index) =>
      textField(`f${index}`, { pattern: ATTACK, max_length: 1_000 }),
    );
    expect(fieldDefinitionProblems(five)).toEqual([]);
    const six = [...five, textField('f5', { pattern: '^\\d{5}$', max_length: 5 })];
    expect(fieldDefinitionProblems(six)).toEqual([
      {
        field: 'fields',
        message:
          "checking this form's patterns costs 500,045 per submission (RE2 instructions × max_length, over every " +
          'patterned field), at most 500,000; lower some max_length or simplify some patterns',
      },
    ]);
  });

  it('reports a pattern the engine cannot run once, without a budget problem', () => {
    expect(fieldDefinitionProblems([textField('a', { pattern: '^(a+)\\1$' })]).map((p) => p.field)).toEqual([
      'fields.0.pattern',
    ]);
  });
});

describe('bounded work per submission', () => {
  it('bounds a stored form that breaks the budget: each patterned value to what the budget affords', () => {
    // As forms were stored before the budget: ten patterned fields, no max_length.
    const fields = Array.from({ length: 10 }, (_, index) => textField(`f${index}`, { pattern: ATTACK }));
    const data = Object.fromEntries(fields.map((field) => [field.key, 'a'.repeat(100_000)]));
    const { problems } = checkSubmission(fields, data);
    expect(problems).toEqual(
      fields.map((field) => ({ field: `data.${field.key}`, message: 'must be at most 500 characters' })),
    );
    const fits = Object.fromEntries(fields.map((field) => [field.key, 'a'.repeat(500)]));
    expect(checkSubmission(fields, fits).problems).toEqual([]);
  });

  it("keeps a form's own limits when it is within the budget, and checks length before the type and pattern", () => {
    const fields: FormField[] = [
      textField('code', { pattern: '^[A-Z]{3}$', max_length: 3 }),
      { key: 'email', type: 'email', label: 'Email', pattern: '@example\\.com$' },
    ];
    expect(checkSubmission(fields, { code: 'ABCD', email: `${'a'.repeat(300)}@example.com` }).problems).toEqual([
      { field: 'data.code', message: 'must be at most 3 characters' },
      { field: 'data.email', message: 'must be an email' },
    ]);
    expect(checkSubmission(fields, { code: 'abc', email: 'ada@example.org' }).problems).toEqual([
      { field: 'data.code', message: 'does not match the pattern' },
      { field: 'data.email', message: 'does not match the pattern' },
    ]);
  });

  it('checks the number of choices before the choices: never more than max, nor than there are options', () => {
    const fields: FormField[] = [
      { key: 'm', type: 'multiselect', label: 'M', options: ['x', 'y', 'z'] },
      { key: 'n', type: 'multiselect', label: 'N', options: ['x', 'y', 'z'], max: 2 },
    ];
    const many = Array.from({ length: 100_000 }, () => 'x');
    expect(checkSubmission(fields, { m: many, n: ['x', 'nope', 'y'] }).problems).toEqual([
      { field: 'data.m', message: 'must have at most 3 choices' },
      { field: 'data.n', message: 'must have at most 2 choices' },
    ]);
    expect(checkSubmission(fields, { m: ['z', 'x'], n: ['y'] }).problems).toEqual([]);
    expect(checkSubmission(fields, { m: ['x', 'w'], n: [1] }).problems).toEqual([
      { field: 'data.m', message: 'must be a list of the options' },
      { field: 'data.n', message: 'must be a list of the options' },
    ]);
  });

  it('names at most 20 unknown keys, then counts the rest', () => {
    const data = Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`k${index}`, 1]));
    const { problems } = checkSubmission([textField('a')], data);
    expect(problems).toHaveLength(21);
    expect(problems[19]).toEqual({ field: 'data.k19', message: 'is not a field of this form' });
    expect(problems[20]).toEqual({ field: 'data', message: 'has 9980 more keys that are not fields of this form' });
  });

  it('refuses a date of any other length without reading it', () => {
    const fields: FormField[] = [{ key: 'd', type: 'date', label: 'D' }];
    expect(checkSubmission(fields, { d: `2024-01-01${' '.repeat(1_000)}` }).problems).toEqual([
      { field: 'data.d', message: 'must be a date (YYYY-MM-DD)' },
    ]);
    expect(checkSubmission(fields, { d: '2024-02-29' }).problems).toEqual([]);
  });
});
