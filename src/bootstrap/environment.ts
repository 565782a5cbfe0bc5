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
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
