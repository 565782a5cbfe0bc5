import { RE2JS } from 're2js';

/**
 * Field patterns run against anonymous input on every submission, so they run on RE2 (`re2js`, pure
 * JavaScript): its time is linear in the value's length whatever the pattern, where a backtracking
 * engine can take seconds on 30 characters (`^(a|a)*$`). RE2 refuses what it cannot run that way
 * (back-references, look-around), which is why forms are checked with `linearPatternProblem` when saved.
 */
const compiled = new Map<string, RE2JS | null>();
const MAX_CACHED_PATTERNS = 10_000;

function compile(pattern: string): RE2JS | null {
  if (compiled.has(pattern)) return compiled.get(pattern) ?? null;
  let result: RE2JS | null;
  try {
    result = RE2JS.compile(pattern);
  } catch {
    result = null;
  }
  if (compiled.size >= MAX_CACHED_PATTERNS) compiled.clear();
  compiled.set(pattern, result);
  return result;
}

/**
 * Linear time is time proportional to the program's size times the value's length: past this many
 * instructions (e.g. `[a-z]{100}$`), a 10,000-character value takes tens of milliseconds to check.
 * Real patterns (emails, phone numbers, IBANs, postcodes) stay well below it.
 */
export const MAX_PATTERN_PROGRAM_SIZE = 100;

/** Why a pattern cannot be saved, or null when the linear-time engine runs it. */
export function linearPatternProblem(pattern: string): string | null {
  try {
    const size = RE2JS.compile(pattern).programSize();
    if (size <= MAX_PATTERN_PROGRAM_SIZE) return null;
    return `pattern is too complex to check on every submission (${size} RE2 instructions, at most ${MAX_PATTERN_PROGRAM_SIZE}); simplify it or lower its repetition counts`;
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    return `pattern must be an RE2 expression, checkable in linear time (no back-references or look-around): ${reason}`;
  }
}

/**
 * The pattern's RE2 program size (instructions), or null for a pattern the engine cannot run. Checking
 * a value costs time proportional to this times the value's length (see pattern-budget.ts).
 */
export function patternProgramSize(pattern: string): number | null {
  return compile(pattern)?.programSize() ?? null;
}

/**
 * Whether some part of `value` matches, as `RegExp.test` would; null for a pattern the engine cannot
 * run (saved before patterns were checked at save time).
 */
export function matchesLinearPattern(pattern: string, value: string): boolean | null {
  const regex = compile(pattern);
  return regex ? regex.matcher(value).find() : null;
}
