import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError, type ErrorDetail } from './api-error.js';

/** Deeper than any DTO of the API: a form's field list is 3 levels down. */
export const MAX_BODY_DEPTH = 16;

/** Keys class-transformer and class-validator treat as the class's own, so the whitelist cannot catch them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const PRIMITIVES: ReadonlySet<unknown> = new Set([String, Number, Boolean, Object, Array]);

/**
 * Runs before the validation pipe on every DTO-typed body and query: refuses prototype keys (which
 * `forbidNonWhitelisted` lets through) and nesting deeper than `MAX_BODY_DEPTH` (which would overflow
 * the stack of the recursive transformer and answer 500). Iterative, so a hostile body cannot
 * overflow it either.
 */
@Injectable()
export class BodyShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (
      (metadata.type !== 'body' && metadata.type !== 'query') ||
      !metadata.metatype ||
      PRIMITIVES.has(metadata.metatype)
    ) {
      return value;
    }
    const problem = shapeProblem(value);
    if (problem) throw ApiError.validation([problem]);
    return value;
  }
}

export function shapeProblem(root: unknown): ErrorDetail | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (pending.length) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH)
      return { field: path || 'body', message: `is nested deeper than ${MAX_BODY_DEPTH} levels` };
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return { field, message: `property ${key} should not exist` };
      pending.push({ value: (value as Record<string, unknown>)[key], path: field, depth: depth + 1 });
    }
  }
  return null;
}
