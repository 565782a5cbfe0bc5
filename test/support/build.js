// Compiles src/ to dist/ (incrementally: a few seconds when nothing changed) so e2e tests can start
// the real entry points as child processes.
import { execFileSync } from 'node:child_process';

export function buildDist() {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
