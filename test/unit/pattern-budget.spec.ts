import { describe, expect, it } from '@jest/globals';
import { patternProgramSize } from '../../src/infrastructure/text/linear-pattern.js';
import {
  affordableLength,
  affordableLengths,
  PATTERN_COST_PER_FIELD,
  PATTERN_COST_PER_SUBMISSION,
  patternCost,
} from '../../src/infrastructure/text/pattern-budget.js';

// `[a-z]{97}$` is the pattern of the form that held the event loop for 2.7 s: 100 RE2 instructions.
const ATTACK = '[a-z]{97}$';

describe('pattern budget', () => {
  it('costs a check as RE2 instructions × characters, and nothing for a pattern the engine cannot run', () => {
    expect(patternProgramSize(ATTACK)).toBe(100);
    expect(patternCost(ATTACK, 1_000)).toBe(100_000);
    expect(patternCost('^(a+)\\1$', 1_000)).toBeNull();
  });

  it('affords each pattern the longest value the per-field budget pays for', () => {
    expect(PATTERN_COST_PER_FIELD).toBe(100_000);
    expect(affordableLength(ATTACK)).toBe(1_000);
    expect(affordableLength('^[^<>]*$')).toBe(Math.floor(100_000 / 6));
    expect(affordableLength('^(a+)\\1$')).toBeNull();
  });

  it('gives a form within both budgets its own lengths back', () => {
    const checks = [
      { pattern: ATTACK, length: 1_000 },
      { pattern: '^\\d{5}$', length: 5 },
    ];
    expect(affordableLengths(checks)).toEqual([1_000, 5]);
  });

  it('cuts a pattern to its per-field length, and leaves out one the engine cannot run', () => {
    expect(
      affordableLengths([
        { pattern: ATTACK, length: 100_000 },
        { pattern: '(?=x)', length: 50 },
      ]),
    ).toEqual([1_000, null]);
  });

  it('cuts every length by the same factor when together they cost more than one submission may', () => {
    expect(PATTERN_COST_PER_SUBMISSION).toBe(500_000);
    // The attack form: ten such fields, 100,000 characters each.
    const lengths = affordableLengths(Array.from({ length: 10 }, () => ({ pattern: ATTACK, length: 100_000 })));
    expect(lengths).toEqual(Array.from({ length: 10 }, () => 500));
    // 3 × 100,000 + 2 × 100,000 + 6 × 16,666 (its per-field length): 599,996.
    const mixed = [
      ...Array.from({ length: 3 }, () => ({ pattern: ATTACK, length: 1_000 })),
      ...Array.from({ length: 2 }, () => ({ pattern: '[a-z]{47}$', length: 2_000 })),
      { pattern: '^[^<>]*$', length: 100_000 },
    ];
    const cut = affordableLengths(mixed) as number[];
    const total = mixed.reduce((sum, { pattern }, index) => sum + (patternCost(pattern, cut[index]) ?? 0), 0);
    expect(total).toBeLessThanOrEqual(PATTERN_COST_PER_SUBMISSION);
    expect(total).toBeGreaterThan(PATTERN_COST_PER_SUBMISSION * 0.99);
    expect(cut.slice(0, 4)).toEqual([833, 833, 833, 1_666]);
    expect(cut[5]).toBe(Math.floor(16_666 * (500_000 / 599_996)));
  });
});
