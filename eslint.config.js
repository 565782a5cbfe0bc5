import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries: a feature module's public surface is its `index.ts`. The rest of src/ (other
 * modules, the entry points, the CLI) imports a module through it and nothing else; repositories,
 * schemas, listeners and processors stay private. Inside a module, files import each other
 * directly, never through their own index (that would make a cycle).
 */
const featureModules = readdirSync('src/modules', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const ownIndexes = featureModules.map((name) => ({
  target: `./src/modules/${name}/**`,
  from: `./src/modules/${name}/index.ts`,
  message: 'Inside a module, import its files directly, never its own index.ts.',
}));
export const moduleBoundaries = featureModules.map((name) => ({
  target: ['./src/*.ts', './src/!(modules)/**', `./src/modules/!(${name})/**`],
  from: `./src/modules/${name}/**`,
  except: [`**/src/modules/${name}/index.ts`],
  message: 'Import another module only through its index.ts.',
}));

/** The globals a Node.js script may use without importing them (the JS files are all Node scripts). */
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Blob',
    'Buffer',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'crypto',
    'fetch',
    'FormData',
    'global',
    'globalThis',
    'Headers',
    'performance',
    'process',
    'queueMicrotask',
    'Request',
    'Response',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
    'TextDecoder',
    'TextEncoder',
    'URL',
    'URLSearchParams',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.tools/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        globalThis: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Rules that need the types, on the files tsconfig.json compiles: a promise nobody awaits or
    // handles, a promise where a callback must return nothing, a switch that forgets a member of a
    // union. A fire-and-forget is written `void`, with a comment saying why.
    files: ['src/**/*.ts', 'test/**/*.ts', 'migrations/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A `default` branch is a decision (e.g. jobs of a previous release), so it counts as exhaustive.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // An import used only as a type says so (`import type`), so a reader and SWC (one file at a time)
      // both know it is gone at run time. Files with decorators keep value imports their constructor
      // parameters need for dependency injection: the rule reads emitDecoratorMetadata from tsconfig.
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      // no-cycle reads the files an import reaches: it must know they are TypeScript.
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...moduleBoundaries, ...ownIndexes] }],
      // A cycle of imports evaluates one of its files before what it imports exists (a class used in a
      // decorator is then undefined). Type-only imports vanish from the output and do not count.
      'import-x/no-cycle': 'error',
    },
  },
  {
    // One order for imports everywhere: Node's own, then packages, then this project's files.
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', ['internal', 'parent', 'sibling', 'index']],
          'newlines-between': 'never',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
    },
  },
  { files: ['**/*.js'], languageOptions: { globals: nodeGlobals } },
  // Benchmarks and drills are command-line tools: they report on the console.
  { files: ['bench/**/*.js', 'drills/**/*.js'], rules: { 'no-console': 'off' } },
);
