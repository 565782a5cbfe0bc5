import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * An `application/x-www-form-urlencoded` body: a key's value, or the list of its values when it was
 * repeated (the shape Nest's own parser gave every endpoint, kept so none of them changes).
 */
export type UrlencodedBody = Record<string, string | string[]>;

/**
 * Parses a urlencoded body with the WHATWG parser Node ships (`URLSearchParams`, the parser the
 * format's own standard defines). A repeated key (`tags=a&tags=b`) loses nothing, and the object has
 * no prototype: `__proto__` is a key like any (DTO bodies refuse it: `BodyShapePipe`).
 */
export function parseUrlencoded(text: string): UrlencodedBody {
  const body = Object.create(null) as UrlencodedBody;
  for (const [key, value] of new URLSearchParams(text)) {
    const known = body[key];
    body[key] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  return body;
}

/**
 * Owns the urlencoded parser Nest's Fastify adapter would otherwise register at `init()` (it skips
 * its own once one is registered through `useBodyParser`): same body limit as JSON (413 beyond).
 */
export function useUrlencodedParser(app: NestFastifyApplication, bodyLimitBytes: number): void {
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: bodyLimitBytes }, (_request, raw, done) => {
    done(null, parseUrlencoded(raw.toString('utf8')));
  });
}
