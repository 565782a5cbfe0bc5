import { ApiError } from '../../infrastructure/http/api-error.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * The submission times an export keeps, from the request's ISO 8601 `from` / `to` (validated as such
 * by the DTO). Both ends are included; a date alone (`2026-03-31`) is a whole UTC day, so `to` with a
 * date covers that day to its last millisecond. `to` before `from` is a `400 validation_failed`.
 */
export function submittedRange(from?: string, to?: string): { from?: Date; to?: Date } {
  const start = from === undefined ? undefined : new Date(from);
  const end = to === undefined ? undefined : new Date(new Date(to).getTime() + (DATE_ONLY.test(to) ? DAY_MS - 1 : 0));
  if (start && end && end.getTime() < start.getTime()) {
    throw ApiError.validation([{ field: 'to', message: 'to must be at or after from' }]);
  }
  return { ...(start ? { from: start } : {}), ...(end ? { to: end } : {}) };
}
