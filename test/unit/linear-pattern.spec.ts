import { describe, expect, it } from '@jest/globals';
import { linearPatternProblem, matchesLinearPattern } from '../../src/infrastructure/text/linear-pattern.js';

describe('linear-time field patterns', () => {
  it('matches as RegExp.test does: anywhere in the value unless anchored', () => {
    expect(matchesLinearPattern('^[A-Z]', 'Ada')).toBe(true);
    expect(matchesLinearPattern('^[A-Z]', 'ada')).toBe(false);
    expect(matchesLinearPattern('\\d{3}', 'room 101b')).toBe(true);
    expect(matchesLinearPattern('^\\d{5}(-\\d{4})?$', '12345-678')).toBe(false);
  });

  it('accepts the patterns that freeze a backtracking engine, and answers them', () => {
    for (const pattern of ['^(a|a)*$', '^.*.*.*.*.*x$', '^(a+)+$']) expect(linearPatternProblem(pattern)).toBeNull();
    expect(matchesLinearPattern('^(a|a)*$', `${'a'.repeat(10_000)}!`)).toBe(false);
    expect(matchesLinearPattern('^.*.*.*.*.*x$', `${'y'.repeat(10_000)}x`)).toBe(true);
  });

  it('refuses what RE2 cannot run in linear time, and programs too large to run on every submission', () => {
    expect(linearPatternProblem('^(a+)\\1$')).toMatch(/^pattern must be an RE2 expression.*invalid escape sequence/);
    expect(linearPatternProblem('^(?=x)')).toMatch(/^pattern must be an RE2 expression.*Perl syntax/);
    expect(linearPatternProblem('([')).toMatch(/^pattern must be an RE2 expression/);
    expect(linearPatternProblem('[a-z]{200}$')).toMatch(/^pattern is too complex .*at most 100/);
  });

  it('skips a stored pattern the engine cannot run rather than fall back to a backtracking engine', () => {
    expect(matchesLinearPattern('^(a+)\\1$', 'aa')).toBeNull();
  });
});
