// Field patterns run against anonymous input on every submission. This runs the worst patterns known
// for backtracking engines (two of them froze the API for 10 s and 13 s before patterns moved to RE2)
// and the costliest programs the save-time check still accepts, against 10,000-character values that
// match, almost match and do not match, through the function the submission validator calls.
// Goal: the slowest single check under 5 ms.
// Usage: npm run bench (or: npm run build && node bench/field-patterns.js)
import { performance } from 'node:perf_hooks';
import { linearPatternProblem, matchesLinearPattern } from '../dist/infrastructure/text/linear-pattern.js';
import { percentiles } from './support/load.js';

const GOAL_MS = 5;
const LENGTH = 10_000;
const ROUNDS = 20;
const GROUPS = {
  'catastrophic for backtracking engines': [
    '^(a|a)*$',
    '^.*.*.*.*.*x$',
    '^(a+)+$',
    '(a|aa)+$',
    '^(\\w+\\s?)*$',
    '^(\\d+)*$',
    '(x+x+)+y',
    '^(([a-z])+.)+[A-Z]([a-z])+$',
    '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
  ],
  'real field patterns': [
    '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$',
    '^\\+?[0-9 ()-]{7,20}$',
    '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$',
    '^\\d{5}(-\\d{4})?$',
  ],
  'costliest programs still accepted': ['[a-z]{95}$', '(.*a){19}', '(?:.*){45}x'],
};
const VALUES = [
  'a'.repeat(LENGTH),
  `${'a'.repeat(LENGTH - 1)}!`,
  'x'.repeat(LENGTH),
  'ab '.repeat(LENGTH).slice(0, LENGTH),
  '1'.repeat(LENGTH),
];

console.log(`field patterns: ${VALUES.length} values of ${LENGTH} characters each, ${ROUNDS} rounds after a warm-up`);
for (const [group, patterns] of Object.entries(GROUPS)) {
  for (const pattern of patterns) {
    const refused = linearPatternProblem(pattern);
    if (refused) throw new Error(`${pattern} is refused at save time: ${refused}`);
  }
  const samples = [];
  let slowest = { ms: 0, pattern: '' };
  // Round 0 compiles each pattern (cached from then on, as in the API) and warms the engine up.
  for (let round = 0; round <= ROUNDS; round += 1) {
    for (const pattern of patterns) {
      for (const value of VALUES) {
        const started = performance.now();
        matchesLinearPattern(pattern, value);
        const ms = performance.now() - started;
        if (round === 0) continue;
        samples.push(ms);
        if (ms > slowest.ms) slowest = { ms, pattern };
      }
    }
  }
  const verdict = slowest.ms < GOAL_MS ? 'met' : 'NOT met';
  console.log(`  ${group} (${patterns.length})`);
  console.log(`    every check   ${percentiles(samples, 3)}`);
  console.log(`    slowest check ${slowest.ms.toFixed(3)} ms (${slowest.pattern}); goal < ${GOAL_MS} ms: ${verdict}`);
}
