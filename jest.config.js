import { availableParallelism } from 'node:os';

// Jest runs in native ESM mode (Nest 12 is ESM-only): NODE_OPTIONS=--experimental-vm-modules,
// TypeScript compiled by SWC with legacy decorators and their metadata, as tsc does for the build.
const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

// ESM-only packages that a CommonJS dependency `require()`s. Jest on Node 20 cannot require ESM,
// so these few are compiled to CommonJS when required (and left ESM when imported).
const esmRequiredByCommonJs = ['content-disposition'];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': swcTransform,
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmRequiredByCommonJs.join('|')})/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFilesAfterEnv: ['<rootDir>/test/support/load-nest-first.ts'],
};

// The tiers mirror the architecture (docs/development.md says what each holds). Those that touch a
// store share one global setup: it builds dist/ if src/ changed and starts the throwaway stores once
// per run, whichever tiers run.
const stores = {
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
};
const tiers = {
  unit: {},
  architecture: stores,
  integration: stores,
  api: stores,
  system: stores,
  deploy: {},
};
const projects = Object.entries(tiers).map(([tier, extra]) => ({
  ...shared,
  ...extra,
  displayName: tier,
  testMatch: [`<rootDir>/test/${tier}/**/*.spec.ts`],
}));

// `npm run test:<tier> -- <jest args>` names its tier here (a comma-separated list also works):
// jest's own `--selectProjects` takes a list and would swallow the file patterns that follow it.
const only = process.env.TEST_TIERS?.split(',');

export default {
  // Two workers on two cores: the store tiers wait on I/O much of the time, and the api tier ran in
  // 102 s with two against 182 s with one (jest's default there); bigger machines use all cores but one.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  coverageProvider: 'v8',
  collectCoverageFrom: ['src/**/*.ts', '!src/main.ts', '!src/worker.ts', '!src/cli.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 85, branches: 85 } },
  projects: only ? projects.filter((project) => only.includes(project.displayName)) : projects,
};
