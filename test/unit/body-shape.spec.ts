import { describe, expect, it } from '@jest/globals';
import { BodyShapePipe, MAX_BODY_DEPTH, shapeProblem } from '../../src/infrastructure/http/body-shape.pipe.js';

class SomeDto {}

const nested = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = { a: [value] };
  return value;
};

describe('body shape', () => {
  it('refuses prototype keys at any depth, which the whitelist cannot see', () => {
    expect(shapeProblem({ name: 'x', constructor: ['a'] })).toEqual({
      field: 'constructor',
      message: 'property constructor should not exist',
    });
    expect(shapeProblem({ settings: JSON.parse('{"__proto__": {"admin": true}}') })).toEqual({
      field: 'settings.__proto__',
      message: 'property __proto__ should not exist',
    });
    expect(shapeProblem({ fields: [{ prototype: 1 }] })?.field).toBe('fields.0.prototype');
  });

  it('refuses nesting past the limit without recursing, however deep', () => {
    expect(shapeProblem(nested(MAX_BODY_DEPTH / 2 - 1))).toBeNull();
    expect(shapeProblem(nested(100_000))?.message).toBe(`is nested deeper than ${MAX_BODY_DEPTH} levels`);
  });

  it('checks DTO-typed bodies and queries only', () => {
    const pipe = new BodyShapePipe();
    const hostile = { constructor: 1 };
    expect(pipe.transform(hostile, { type: 'body', metatype: Object })).toBe(hostile);
    expect(pipe.transform(hostile, { type: 'param', metatype: SomeDto })).toBe(hostile);
    expect(() => pipe.transform(hostile, { type: 'body', metatype: SomeDto })).toThrow('Request validation failed');
    expect(pipe.transform({ fine: [1, { two: 2 }] }, { type: 'query', metatype: SomeDto })).toEqual({
      fine: [1, { two: 2 }],
    });
  });
});
