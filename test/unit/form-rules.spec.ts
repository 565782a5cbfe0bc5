import { describe, expect, it } from '@jest/globals';
import { slugify } from '../../src/modules/forms/forms.service.js';
import { checkSubmission } from '../../src/modules/responses/submission-validator.js';

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
