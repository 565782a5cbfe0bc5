/**
 * Imported first by every entry point (`main.ts`, `worker.ts`, `cli.ts`), before anything native:
 * ES modules run in import order, so on an unsupported Node this ends the process with one line and
 * exit code 1 before a native binding (argon2) is loaded and crashes it with a segfault.
 * It imports nothing but its sibling, which imports nothing at all.
 */
import { unsupportedNodeMessage } from './node-version.js';

const refusal = unsupportedNodeMessage();
if (refusal !== null) {
  process.stderr.write(`${refusal}\n`);
  process.exit(1);
}
