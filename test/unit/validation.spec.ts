import { describe, expect, it } from '@jest/globals';
import type { ValidationError } from '@nestjs/common';
import { toErrorDetails } from '../../src/infrastructure/http/validation.js';

function validationError(property: string, constraints?: Record<string, string>, children: ValidationError[] = []) {
  return { property, constraints, children } as ValidationError;
}

describe('toErrorDetails', () => {
  it('reports every constraint of every field, nested fields as dotted paths', () => {
    const errors = [
      validationError('title', { isString: 'title must be a string', maxLength: 'title is too long' }),
      validationError('data', undefined, [
        validationError('email', { isEmail: 'must be an email' }),
        validationError('address', undefined, [validationError('zip', { matches: 'must be 5 digits' })]),
      ]),
    ];
    expect(toErrorDetails(errors)).toEqual([
      { field: 'title', message: 'title must be a string' },
      { field: 'title', message: 'title is too long' },
      { field: 'data.email', message: 'must be an email' },
      { field: 'data.address.zip', message: 'must be 5 digits' },
    ]);
  });
});
