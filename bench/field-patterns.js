// Field patterns run against anonymous input on every submission. Each pattern here is checked
// against its longest allowed value: 10,000 characters, or fewer when the per-field budget (RE2
// instructions × characters <= 100,000, src/infrastructure/text/pattern-budget.ts) allows fewer, on
// the worst inputs we could construct for it (runs of one letter ending in a mismatch, random strings
// over the pattern's own letters, letters outside Latin-1, case variants), through the function the
// submission validator calls. Then one whole submission at the per-submission budget, and, for
// comparison, a check the budget now refuses (the 2.7 s form's pattern on 10,000 characters).
// Goal: the costliest accepted check under 5 ms at p99. Each check is timed twice: the CPU time the
// process spent on it (the work; what the goal is about) and the wall time (which also counts the
// time other processes held the CPU: on a shared machine it swings from one run to the next).
// Usage: npm run bench (or: npm run build && node bench/field-patterns.js)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { linearPatternProblem, matchesLinearPattern } from '../dist/infrastructure/text/linear-pattern.js';
import {
  affordableLength,
  PATTERN_COST_PER_FIELD,
  PATTERN_COST_PER_SUBMISSION,
  patternCost,
} from '../dist/infrastructure/text/pattern-budget.js';
import { checkSubmission } from '../dist/modules/forms/submission-validator.js';
import { percentiles } from './support/load.js';
import { randomText } from './support/text.js';

const GOAL_MS = 5;
const LONGEST = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
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
    '^[^<>]*$',
  ],
  // The slowest per instruction-character we found: every instruction alive at every character,
  // big Unicode classes (a binary search per step), case folding, alternations that overlap.
  'costliest accepted (100,000 instruction-characters)': [
    '[a-z]{7}$',
    '(a|aa)+$',
    '(\\w+\\s?)*$',
    '(?:[\\p{L}\\p{N}]|[\\p{L}\\p{N}]{2})+$',
    '[\\p{L}\\p{N}]{7}$',
    '(?i)(?:k|s){40}$',
    '[\\p{L}\\p{N}]{60}$',
    '[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]{60}$',
    '(.*a){19}',
    '[a-z]{97}$',
  ],
};

/** Values of `length` characters meant to keep as many RE2 threads alive as possible. */
function worstValues(pattern, length) {
  const own = [...new Set(pattern.replace(/\\[pP]\{\w+\}|\\./g, '').replace(/[[\](){}*+?|^$.\-,:0-9]/g, ''))].join('');
  return [
    'a'.repeat(length),
    `${'a'.repeat(length - 1)}!`,
    `!${'a'.repeat(length - 1)}`,
    randomText(own || 'a', length),
    `${randomText(own || 'a', length - 1)}!`,
    randomText('Ωaé', length),
    randomText('aA1 ', length),
    randomText('kKſsS', length),
    'x'.repeat(length),
    '1'.repeat(length),
  ];
}

/** Runs `work` once; answers its wall time and the CPU time the process spent meanwhile, in ms. */
function timed(work) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  work();
  const wall = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return { wall, cpu: (user + system) / 1000 };
}

/** Times one check per (pattern, value), ROUNDS times after a warm-up round (compiles, JIT). */
function timeChecks(cases) {
  const cpu = [];
  const wall = [];
  let slowest = { ms: 0 };
  for (let round = 0; round <= ROUNDS; round += 1) {
    for (const { pattern, value } of cases) {
      const time = timed(() => matchesLinearPattern(pattern, value));
      if (round === 0) continue;
      cpu.push(time.cpu);
      wall.push(time.wall);
      if (time.cpu > slowest.ms) slowest = { ms: time.cpu, pattern, length: value.length };
    }
  }
  return { cpu, wall, slowest };
}

const sorted = (samples) => [...samples].sort((a, b) => a - b);
const p50 = (samples) => sorted(samples)[Math.floor(0.5 * samples.length)];
const p99 = (samples) => sorted(samples)[Math.min(samples.length - 1, Math.floor(0.99 * samples.length))];

console.log(
  `field patterns: each against its longest allowed value (${LONGEST.toLocaleString('en-US')} characters, or ` +
    `${PATTERN_COST_PER_FIELD.toLocaleString('en-US')} / its RE2 instructions when fewer), 10 constructed values each, ` +
    `${ROUNDS} rounds after a warm-up; load average ${loadavg()[0].toFixed(1)} on this machine`,
);
for (const [group, patterns] of Object.entries(GROUPS)) {
  const cases = [];
  for (const pattern of patterns) {
    const refused = linearPatternProblem(pattern);
    if (refused) throw new Error(`${pattern} is refused at save time: ${refused}`);
    const length = Math.min(LONGEST, affordableLength(pattern));
    for (const value of worstValues(pattern, length)) cases.push({ pattern, value });
  }
  const { cpu, wall, slowest } = timeChecks(cases);
  const cost = patternCost(slowest.pattern, slowest.length);
  const verdict = p99(cpu) < GOAL_MS ? 'met' : 'NOT met';
  console.log(`  ${group} (${patterns.length})`);
  console.log(`    every check, CPU  ${percentiles(cpu, 3)}; goal p99 < ${GOAL_MS} ms: ${verdict}`);
  console.log(`    every check, wall ${percentiles(wall, 3)}`);
  console.log(
    `    slowest check ${slowest.ms.toFixed(3)} ms CPU (${slowest.pattern} on ${slowest.length.toLocaleString('en-US')} ` +
      `characters, ${cost.toLocaleString('en-US')} instruction-characters)`,
  );
}

// Per pattern of the costliest group, its slowest constructed value: the figure per check that matters.
console.log('  costliest accepted, per pattern: its slowest constructed value, CPU p50 / p99 (wall p50)');
for (const pattern of GROUPS['costliest accepted (100,000 instruction-characters)']) {
  const length = Math.min(LONGEST, affordableLength(pattern));
  let worst = null;
  for (const value of worstValues(pattern, length)) {
    const { cpu, wall } = timeChecks([{ pattern, value }]);
    if (!worst || p50(cpu) > worst.p50) worst = { p50: p50(cpu), p99: p99(cpu), wall: p50(wall) };
  }
  const size = patternCost(pattern, 1);
  console.log(
    `    ${pattern.padEnd(36)} ${String(size).padStart(3)} instructions × ${length.toLocaleString('en-US').padStart(6)} ` +
      `characters  ${worst.p50.toFixed(3)} / ${worst.p99.toFixed(3)} ms (${worst.wall.toFixed(3)} ms)`,
  );
}

// One submission at the per-submission budget: five fields of the costliest pattern per
// instruction-character, each at its longest value, checked by the submission validator.
const costly = '[\\p{L}\\p{N}]{60}$';
const fields = Array.from({ length: 5 }, (_, index) => ({
  key: `f${index}`,
  type: 'text',
  label: `F${index}`,
  pattern: costly,
  max_length: affordableLength(costly),
}));
const data = Object.fromEntries(fields.map((field) => [field.key, randomText('Ωaé', field.max_length)]));
if (checkSubmission(fields, data).problems.length) throw new Error('the budget submission is refused');
const submission = { cpu: [], wall: [] };
for (let round = 0; round <= ROUNDS; round += 1) {
  const time = timed(() => checkSubmission(fields, data));
  if (round === 0) continue;
  submission.cpu.push(time.cpu);
  submission.wall.push(time.wall);
}
const submissionCost = fields.reduce((sum, field) => sum + patternCost(field.pattern, field.max_length), 0);
console.log(
  `  one submission at the per-submission budget (5 × ${costly} on ${fields[0].max_length.toLocaleString('en-US')} ` +
    `characters: ${submissionCost.toLocaleString('en-US')} of ${PATTERN_COST_PER_SUBMISSION.toLocaleString('en-US')})`,
);
console.log(`    whole validation, CPU  ${percentiles(submission.cpu, 3)}`);
console.log(`    whole validation, wall ${percentiles(submission.wall, 3)}`);

// Before the budget: the 2.7 s form's pattern was accepted with any max_length.
const before = timeChecks(
  worstValues('[a-z]{97}$', LONGEST)
    .slice(0, 2)
    .map((value) => ({ pattern: '[a-z]{97}$', value })),
);
console.log('  refused now, accepted before: [a-z]{97}$ on 10,000 characters (1,000,000 instruction-characters)');
console.log(`    every check, CPU  ${percentiles(before.cpu, 3)}`);
console.log(`    every check, wall ${percentiles(before.wall, 3)}`);
