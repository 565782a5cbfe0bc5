import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';
import { Environment, validateEnvironment } from '../../src/infrastructure/config/environment.js';

/**
 * `.env.example` is the configuration's documentation and the `.env` `npm start` creates: every
 * variable as `NAME=value` under the comment lines that explain it. Its value is the default, but for
 * a few chosen on purpose: those are listed here with the reason, and their comment names the default.
 */
const DIFFERS_FROM_DEFAULT: Record<string, string> = {
  WORKER_METRICS_PORT: 'a first run serves the worker metrics; by default the worker opens no port at all',
  SHUTDOWN_TIMEOUT_MS: 'below the 30 s after which orchestrators kill by default; docs/operations.md gives both',
};

/** Variables without a default: `.env.example` gives a local store's address, or a placeholder secret. */
const REQUIRED = ['MONGO_URL', 'REDIS_URL', 'JWT_SECRET', 'ADMIN_API_KEY'];

interface Documented {
  value: string;
  /** The comment lines right above the variable (and the variables sharing them). */
  comment: string;
}

function readEnvExample(): Map<string, Documented> {
  const variables = new Map<string, Documented>();
  let comment: string[] = [];
  let previousWasVariable = false;
  for (const line of readFileSync(join(process.cwd(), '.env.example'), 'utf8').split('\n')) {
    const variable = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (variable) {
      if (variables.has(variable[1])) throw new Error(`${variable[1]} appears twice in .env.example`);
      variables.set(variable[1], { value: variable[2], comment: comment.join(' ') });
      previousWasVariable = true;
    } else if (line.startsWith('#')) {
      if (previousWasVariable) comment = [];
      comment.push(line.slice(1).trim());
      previousWasVariable = false;
    } else {
      if (line !== '') throw new Error(`.env.example: neither a comment nor NAME=value: ${line}`);
      comment = [];
      previousWasVariable = false;
    }
  }
  return variables;
}

const documented = readEnvExample();
const known = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Environment, '', true, false)
      .map((metadata) => metadata.propertyName),
  ),
];
const defaults = new Environment() as unknown as Record<string, unknown>;
/** The required variables, valid, so that one other variable at a time can be read. */
const minimal = {
  MONGO_URL: 'mongodb://127.0.0.1:27017/test',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'x'.repeat(32),
  ADMIN_API_KEY: 'k'.repeat(16),
};

/** What the processes make of the documented value. */
function read(name: string): unknown {
  const environment: Record<string, unknown> = {
    ...validateEnvironment({ ...minimal, [name]: documented.get(name)!.value }),
  };
  return environment[name];
}

describe('.env.example', () => {
  it('documents every variable the configuration knows', () => {
    expect(known.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents no variable the configuration does not know', () => {
    expect([...documented.keys()].filter((name) => !known.includes(name))).toEqual([]);
  });

  it('gives each variable its default, unless listed with the reason it differs', () => {
    const drift = known
      .filter((name) => documented.has(name) && defaults[name] !== undefined && !(name in DIFFERS_FROM_DEFAULT))
      .filter((name) => read(name) !== defaults[name])
      .map((name) => `${name}=${documented.get(name)!.value} but the default is ${String(defaults[name])}`);
    expect(drift).toEqual([]);
  });

  it('names the default in the comment of each value that differs from it', () => {
    for (const name of Object.keys(DIFFERS_FROM_DEFAULT)) {
      expect(read(name)).not.toBe(defaults[name]);
      expect(documented.get(name)!.comment).toMatch(new RegExp(`\\bdefault ${String(defaults[name])}\\b`, 'i'));
    }
  });

  it('leaves each optional variable empty, and gives the required ones a value', () => {
    const given = known.filter((name) => defaults[name] === undefined && documented.get(name)?.value);
    expect(given.sort()).toEqual([...REQUIRED].sort());
  });
});
