import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode, errorCodeForStatus } from './error-codes.js';

type Media = { schema?: unknown; example?: unknown };
type Answer = { description?: string; content?: Record<string, Media>; headers?: Record<string, unknown> };
type Operation = { responses?: Record<string, Answer> };

const CODES = new Set<string>(Object.values(ErrorCode));
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', example: 30 } },
};

/**
 * Every 4xx/5xx answer of every route, with the contract's error body and an example of its own
 * status (the shared ErrorBody schema alone shows its 400 example under every status). The code is
 * the first one the answer's description names (`(last_owner)`), else the status's own code; 429
 * and 503 carry Retry-After. Runs over the finished document, so later routes need nothing special.
 */
export function describeErrorExamples(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      for (const [status, answer] of Object.entries(operation?.responses ?? {})) {
        if (Number(status) >= 400) describeError(Number(status), answer);
      }
    }
  }
  return document;
}

function describeError(status: number, answer: Answer): void {
  answer.content ??= { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };
  const json = answer.content['application/json'];
  // An answer documented as something else only (a browser's HTML page) keeps its own description.
  if (!json) return;
  json.example ??= exampleBody(status, answer.description ?? '');
  if (status === 429 || status === 503) answer.headers = { ...RETRY_AFTER, ...answer.headers };
}

function exampleBody(status: number, description: string): Record<string, unknown> {
  const error = codeNamedIn(description, status);
  const message = description.split('\n')[0]?.trim() || `HTTP ${status}`;
  const body: Record<string, unknown> = { statusCode: status, error, message };
  if (error === ErrorCode.ValidationFailed) body.details = [{ field: 'email', message: 'email must be an email' }];
  return body;
}

/**
 * The first machine code in the text: a snake_case one (`form_archived`), or a one-word code only
 * where it is this status's own (`forbidden` for 403), so plain English ("gone") never counts.
 */
function codeNamedIn(description: string, status: number): ErrorCode {
  const fallback = errorCodeForStatus(status);
  const words = description.match(/[a-z]+(?:_[a-z]+)*/g) ?? [];
  const named = words.find((word) => CODES.has(word) && (word.includes('_') || word === fallback));
  return (named as ErrorCode | undefined) ?? fallback;
}
