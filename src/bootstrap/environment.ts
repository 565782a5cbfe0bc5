import { existsSync } from 'node:fs';
import { type Environment, validateEnvironment } from '../infrastructure/config/environment.js';

/**
 * Reads `.env` (outside tests) and validates the environment before Nest starts, so a bad variable
 * ends the process with one clear line instead of a stack trace.
 */
export function loadEnvironmentOrExit(): Environment {
  if (process.env.NODE_ENV !== 'test' && existsSync('.env')) process.loadEnvFile('.env');
  try {
    return validateEnvironment(process.env);
  } catch (error) {
    return exitWithOneLine((error as Error).message);
  }
}

/** A start-up mistake an operator must fix: one line on stderr, exit code 1, no stack trace. */
export function exitWithOneLine(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
