import { DRILL_LOGS } from './stack.js';

/**
 * Prints a drill's verdict: each check with its figure, then PASS or FAIL, and sets the exit code.
 * `checks`: `[what, ok, figure]`.
 */
export function report(drill, checks) {
  console.log(`\n${drill} (process logs: ${DRILL_LOGS})`);
  for (const [what, ok, figure] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}: ${figure}`);
  const passed = checks.every(([, ok]) => ok);
  console.log(`${passed ? 'PASS' : 'FAIL'} ${drill}`);
  process.exitCode = passed ? 0 : 1;
  return passed;
}
