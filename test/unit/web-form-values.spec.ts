import { describe, expect, it } from '@jest/globals';
import { parseUrlencoded } from '../../src/infrastructure/http/form-body-parser.js';
import type { FormField } from '../../src/modules/forms/form-field.types.js';
import { redirectSettingsProblems, redirectUrlProblem } from '../../src/modules/forms/form-redirect-urls.js';
import { assertAllowedPostOrigin, postingOrigin } from '../../src/modules/responses/browser-post-origin.js';
import { formBodyShapeProblem, readFormBody } from '../../src/modules/responses/form-body-values.js';

const FIELDS: FormField[] = [
  { key: 'name', type: 'text', label: 'Name' },
  { key: 'age', type: 'number', label: 'Age' },
  { key: 'ok', type: 'checkbox', label: 'OK' },
  { key: 'tags', type: 'multiselect', label: 'Tags', options: ['a', 'b'] },
  { key: 'day', type: 'date', label: 'Day' },
  { key: 'cv', type: 'file', label: 'CV' },
];

const read = (body: string) => {
  const listed: Record<string, string[]> = Object.create(null);
  for (const [key, value] of Object.entries(parseUrlencoded(body)))
    listed[key] = Array.isArray(value) ? value : [value];
  return readFormBody(FIELDS, listed);
};

describe('parseUrlencoded', () => {
  it('keeps every value of a repeated key, decodes + and %XX, and has no prototype', () => {
    const body = parseUrlencoded('a=1&a=2&b=x+y%21&__proto__=p&empty=');
    expect(Object.getPrototypeOf(body)).toBeNull();
    expect({ ...body }).toEqual({ a: ['1', '2'], b: 'x y!', ['__proto__']: 'p', empty: '' });
    expect(parseUrlencoded('a=1&a=2&a=3').a).toEqual(['1', '2', '3']);
  });
});

describe('readFormBody', () => {
  it('reads numbers as decimals, and keeps what is not one for the checks to refuse', () => {
    expect(read('age=42').data.age).toBe(42);
    expect(read('age=-3.25').data.age).toBe(-3.25);
    expect(read('age=+.5').data.age).toBe(0.5);
    expect(read('age=%2012%20').data.age).toBe(12);
    expect(read('age=1e3').data.age).toBe('1e3');
    expect(read('age=0x10').data.age).toBe('0x10');
    expect(read('age=twelve').data.age).toBe('twelve');
    expect(read('age=').data).not.toHaveProperty('age');
  });

  it('reads checkboxes: on/true/1/yes checked, off/false/0/no and absent unchecked, anything else kept', () => {
    for (const value of ['on', 'true', '1', 'yes', 'On', 'TRUE']) expect(read(`ok=${value}`).data.ok).toBe(true);
    for (const value of ['off', 'false', '0', 'no', '']) expect(read(`ok=${value}`).data.ok).toBe(false);
    expect(read('').data.ok).toBe(false);
    // The hidden "false" before a checkbox is outvoted when the box is checked.
    expect(read('ok=false&ok=on').data.ok).toBe(true);
    expect(read('ok=maybe').data.ok).toBe('maybe');
    expect(read('ok=maybe&ok=perhaps').data.ok).toEqual(['maybe', 'perhaps']);
  });

  it('reads a multiselect from repeated keys, `key[]` too, in order, without empty choices', () => {
    expect(read('tags=a&tags=b').data.tags).toEqual(['a', 'b']);
    expect(read('tags[]=b&tags=a').data.tags).toEqual(['b', 'a']);
    expect(read('tags=a').data.tags).toEqual(['a']);
    expect(read('tags=').data).not.toHaveProperty('tags');
  });

  it('keeps text and dates as text; an empty one is absent; several values stay a list', () => {
    expect(read('name=Ada&day=2024-02-29').data).toMatchObject({ name: 'Ada', day: '2024-02-29' });
    expect(read('name=&day=').data).toEqual({ ok: false });
    expect(read('name=a&name=b').data.name).toEqual(['a', 'b']);
    expect(read('cv=665f1c2e9b1d8a0012345678').data.cv).toBe('665f1c2e9b1d8a0012345678');
  });

  it('keeps keys that are not fields exactly as sent (the honeypot; strangers the checks refuse)', () => {
    expect(read('website=&x=1&x=2&other[]=3').data).toEqual({ website: '', x: ['1', '2'], 'other[]': '3', ok: false });
    const proto = read('__proto__=x').data;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'ok']);
  });

  it('takes the control fields out of the data: idempotency key and the first captcha token sent', () => {
    const { data, controls } = read(
      '_idempotency_key=k-1&h-captcha-response=&g-recaptcha-response=g-token&cf-turnstile-response=cf-token&name=A',
    );
    expect(data).toEqual({ name: 'A', ok: false });
    expect(controls).toEqual({ idempotencyKey: 'k-1', captchaToken: 'g-token' });
    expect(read('_idempotency_key=&cf-turnstile-response=').controls).toEqual({});
  });
});

describe('formBodyShapeProblem', () => {
  it('refuses more than 2,000 values and keys over 100 characters', () => {
    expect(formBodyShapeProblem({ a: Array.from({ length: 2000 }, () => 'x') })).toBeNull();
    expect(formBodyShapeProblem({ a: Array.from({ length: 2001 }, () => 'x') })).toEqual({
      field: 'body',
      message: 'has more than 2000 values',
    });
    expect(formBodyShapeProblem({ ['k'.repeat(101)]: ['1'] })).toEqual({
      field: 'body',
      message: 'has a key longer than 100 characters',
    });
  });
});

describe('redirect settings', () => {
  const origins = ['https://shop.example', 'http://localhost:3000'];

  it('accepts https:// and http://localhost URLs on an allowed origin, any origin with "*"', () => {
    expect(redirectUrlProblem('https://shop.example/thanks?x=1#y', origins)).toBeNull();
    expect(redirectUrlProblem('http://localhost:3000/ok', origins)).toBeNull();
    expect(redirectUrlProblem('https://anywhere.example/ok', ['*'])).toBeNull();
  });

  it('refuses anything else, each with its reason', () => {
    expect(redirectUrlProblem('/relative', origins)).toBe('must be an absolute URL');
    expect(redirectUrlProblem('http://shop.example/', origins)).toBe('must be an https:// URL (or http://localhost)');
    expect(redirectUrlProblem('javascript:alert(1)', ['*'])).toBe('must be an https:// URL (or http://localhost)');
    expect(redirectUrlProblem('https://user:pw@shop.example/', origins)).toBe('must not carry a user name or password');
    expect(redirectUrlProblem('https://shop.example.evil.example/', origins)).toBe(
      "must be on one of the tenant's allowed_origins",
    );
    expect(redirectUrlProblem(`https://shop.example/${'x'.repeat(2048)}`, origins)).toBe(
      'must be at most 2048 characters',
    );
    expect(redirectSettingsProblems({ success_url: null, error_url: 'http://x.example' }, origins)).toEqual([
      { field: 'settings.error_url', message: 'must be an https:// URL (or http://localhost)' },
    ]);
    expect(redirectSettingsProblems(undefined, origins)).toEqual([]);
  });
});

describe('the origin of a browser post', () => {
  it('is the Origin header, else the Referer’s origin, else none', () => {
    expect(postingOrigin({ origin: 'https://a.example', referer: 'https://b.example/x' })).toBe('https://a.example');
    expect(postingOrigin({ referer: 'https://b.example/x?y#z' })).toBe('https://b.example');
    expect(postingOrigin({ referer: 'not a url' })).toBe('not a url');
    expect(postingOrigin({})).toBeUndefined();
  });

  it('must be an allowed origin when there is one', () => {
    expect(() => assertAllowedPostOrigin({}, [])).not.toThrow();
    expect(() => assertAllowedPostOrigin({ origin: 'https://x.example' }, ['*'])).not.toThrow();
    expect(() => assertAllowedPostOrigin({ referer: 'https://a.example/p' }, ['https://a.example'])).not.toThrow();
    expect(() => assertAllowedPostOrigin({ referer: 'garbage' }, ['https://a.example'])).toThrow(
      expect.objectContaining({ code: 'origin_not_allowed' }),
    );
  });
});
