import { patternProgramSize } from './linear-pattern.js';

/**
 * How much pattern checking one field, and one submission, may cost. RE2 checks a value in time
 * proportional to the pattern's program size (instructions) times the value's length (characters);
 * the product is the cost, in instruction-characters. On the worst inputs we could construct (big
 * Unicode classes repeated, `(a|aa)+$`, `[a-z]{97}$` against `aaa…!`), re2js takes about 10-30 ns per
 * instruction-character (`bench/field-patterns.js` measures it). Values this bounded always run on
 * its bit-state backtracker (used up to 262,144 instruction-characters), the engine measured.
 *
 * Per field, 100,000: the costliest check a form may ask for takes 1-3 ms (goal: under 5 ms). It
 * lets a 10,000-character textarea carry a 10-instruction pattern (`^[^<>]*$` is 6) and an email,
 * phone or IBAN pattern (13-57 instructions) any length those values have.
 */
export const PATTERN_COST_PER_FIELD = 100_000;

/**
 * Per submission, 500,000 (five fields at the per-field limit): about 5-15 ms of pattern checking
 * on one submission, so a visitor at the rate limit leaves `/health/live` answering well within 50 ms.
 */
export const PATTERN_COST_PER_SUBMISSION = 500_000;

/** What checking a value of `length` characters against `pattern` costs; null when the engine cannot run it. */
export function patternCost(pattern: string, length: number): number | null {
  const size = patternProgramSize(pattern);
  return size === null ? null : size * length;
}

/** The longest value `pattern` may be checked against within the per-field budget (null: never run). */
export function affordableLength(pattern: string): number | null {
  const size = patternProgramSize(pattern);
  return size === null ? null : Math.floor(PATTERN_COST_PER_FIELD / size);
}

/** A pattern, and the longest value its field lets through to it. */
export interface PatternCheck {
  pattern: string;
  length: number;
}

/**
 * The longest values the patterns may be checked against in one submission: each at most its own
 * `length` and its per-field affordable length, and, when together they would still cost more than
 * the per-submission budget, each cut by the same factor. A form saved under these rules gets its own
 * lengths back; only forms stored before them are cut. Null for a pattern the engine cannot run.
 */
export function affordableLengths(checks: readonly PatternCheck[]): (number | null)[] {
  const lengths = checks.map(({ pattern, length }) => {
    const affordable = affordableLength(pattern);
    return affordable === null ? null : Math.min(length, affordable);
  });
  const total = checks.reduce((sum, { pattern }, index) => sum + (patternCost(pattern, lengths[index] ?? 0) ?? 0), 0);
  if (total <= PATTERN_COST_PER_SUBMISSION) return lengths;
  const factor = PATTERN_COST_PER_SUBMISSION / total;
  return lengths.map((length) => (length === null ? null : Math.floor(length * factor)));
}
