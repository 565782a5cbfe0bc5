import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiError } from './api-error.js';

/**
 * An `application/x-www-form-urlencoded` body: a key's value, or the list of its values when it was
 * repeated (the shape Nest's own parser gave every endpoint, kept so none of them changes).
 */
export type UrlencodedBody = Record<string, string | string[]>;

/**
 * More pairs than any form has: a body with more is refused before it is parsed, so a megabyte of
 * `a=&a=&…` costs one scan, not 350,000 entries (the submit endpoint's own limit is lower).
 */
export const MAX_URLENCODED_PAIRS = 10_000;

/**
 * Parses a urlencoded body with the WHATWG parser Node ships (`URLSearchParams`, the parser the
 * format's own standard defines). A repeated key (`tags=a&tags=b`) loses nothing, and the object has
 * no prototype: `__proto__` is a key like any (DTO bodies refuse it: `BodyShapePipe`). Linear in the
 * body: repeated values are gathered in one list each, then single values unwrapped.
 */
export function parseUrlencoded(text: string): UrlencodedBody {
  if (pairCount(text) > MAX_URLENCODED_PAIRS) {
    throw ApiError.validation([{ field: 'body', message: `has more than ${MAX_URLENCODED_PAIRS} values` }]);
  }
  const lists = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(text)) {
    const known = lists.get(key);
    if (known) known.push(value);
    else lists.set(key, [value]);
  }
  const body = Object.create(null) as UrlencodedBody;
  for (const [key, values] of lists) body[key] = values.length === 1 ? values[0] : values;
  return body;
}

/** How many `&`-separated pairs a body holds (an upper bound: empty ones are not parsed). */
function pairCount(text: string): number {
  let pairs = 1;
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) pairs += 1;
  return pairs;
}

/**
 * Owns the urlencoded parser Nest's Fastify adapter would otherwise register at `init()` (it skips
 * its own once one is registered through `useBodyParser`): same body limit as JSON (413 beyond).
 */
export function useUrlencodedParser(app: NestFastifyApplication, bodyLimitBytes: number): void {
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: bodyLimitBytes }, (_request, raw, done) => {
    try {
      done(null, parseUrlencoded(raw.toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
