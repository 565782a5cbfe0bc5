import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { QueueName } from '../../src/infrastructure/queue/queue-names.js';

/**
 * The docs cannot drift from the code: every file, folder, npm script, drill, benchmark, CLI command,
 * variable, link and section they name exists, the queue list names every queue, and no benchmark
 * figure is copied out of bench/RESULTS.md. docs/development.md ("Docs that cannot drift") states the
 * rules for writers; this file is what enforces them.
 */
const root = process.cwd();

/** Folders never walked: installed, built, generated or local state (not in the repository). */
const NOT_IN_REPO = ['.git', 'node_modules', 'dist', 'coverage', '.tools', '.data', 'test-results', '.schemathesis'];
/** Paths docs may name although they are not committed: made by a run, listed in .gitignore. */
const GENERATED = [
  '.env',
  'bench/results/',
  'test/client/generated/',
  'test-results/',
  '.tools/',
  '.data/',
  'coverage/',
];
/** File names quoted as examples of a rule, not as files of this repository. */
const EXAMPLES = new Set(['foo-bar.service.ts']);
/** Folders a path in backticks may start with; top-level files are checked by name. */
const ROOTS = ['src', 'scripts', 'test', 'deploy', 'drills', 'bench', 'harness', 'docs', 'migrations', 'tools'];

function walk(folder: string, into: string[] = []): string[] {
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (NOT_IN_REPO.includes(path) || path === 'bench/results' || path === 'test/client/generated') continue;
    into.push(entry.isDirectory() ? `${path}/` : path);
    if (entry.isDirectory()) walk(path, into);
  }
  return into;
}
const repoPaths = new Set(walk(''));
const repoNames = new Set([...repoPaths].map((path) => basename(path)));
const exists = (path: string) => repoPaths.has(path) || repoPaths.has(`${path}/`);
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** Package names that read like file names (`ipaddr.js`). */
const packages = new Set([...Object.keys(packageJson.dependencies), ...Object.keys(packageJson.devDependencies)]);

/** The markdown documents checked, and the files whose comments are. */
const markdown = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'bench/README.md',
  'migrations/README.md',
].filter((path) => existsSync(join(root, path)));
const commented = [
  'docker-compose.yml',
  'Dockerfile',
  '.env.example',
  ...[...repoPaths].filter((path) => path.startsWith('deploy/') && /\.ya?ml$/.test(path)),
];
const commentsOf = (path: string) =>
  read(path)
    .split('\n')
    .map((line) => /#(.*)$/.exec(line)?.[1] ?? '')
    .join('\n');

/** Each code span and link target of a document, with its line; fenced blocks are read as prose lines. */
function spansOf(text: string): { span: string; line: number }[] {
  const spans: { span: string; line: number }[] = [];
  text.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(/`([^`]+)`|\]\(([^)\s]+)\)/g))
      spans.push({ span: match[1] ?? match[2], line: index + 1 });
  });
  return spans;
}

/** A word is a placeholder when it holds `<name>`, a glob, an ellipsis, `NNN` or a shell variable. */
const isPlaceholder = (word: string) => /[<>*…{}$]|NNN/.test(word);

/** Why `word` is not a path of this repository, or null when it is one (or is no repository path). */
function missingPath(word: string, from: string): string | null {
  const path = word
    .replace(/'s\b[^/]*$/, '') // a possessive: harness/stores.js's
    .replace(/^[("'[]+|[)"',;:.\]]+$/g, '')
    .replace(/:\d+(-\d+)?$/, '')
    .replace(/#.*$/, '')
    .replace(/^\.\//, '');
  if (path === '' || isPlaceholder(path) || /^[a-z]+:/.test(path) || path.startsWith('../')) return null;
  if (GENERATED.some((generated) => path === generated.replace(/\/$/, '') || path.startsWith(generated))) return null;
  if (path === 'dist' || path === 'dist/') return null;
  if (path.startsWith('dist/')) {
    // Built output: it exists when its source does (dist/main.js from src/main.ts, dist/migrations/ from migrations/).
    const source = path.slice('dist/'.length).replace(/\.js$/, '');
    return [`src/${source}.ts`, `${source}.ts`, `src/${source}`, source].some(exists)
      ? null
      : `${word}: no source builds it`;
  }
  const rooted = ROOTS.some((folder) => path.startsWith(`${folder}/`));
  if (rooted) return exists(path.replace(/\/$/, '')) ? null : `${word}: no such path`;
  if (/^[\w.-]+\.(ts|js|md|ya?ml|json|sh|example)$/.test(path) || path === 'Dockerfile') {
    if (EXAMPLES.has(path) || packages.has(path)) return null;
    const beside = normalize(join(dirname(from), path));
    return exists(path) || exists(beside) || repoNames.has(path) ? null : `${word}: no file has this name`;
  }
  return null;
}

const cliCommands = readdirSync(join(root, 'src/cli'))
  .filter((name) => name.endsWith('.command.ts'))
  .map((name) => name.replace('.command.ts', ''));

/** Every npm script, drill, benchmark and CLI command the text runs that does not exist. */
function missingCommands(text: string): string[] {
  const missing: string[] = [];
  for (const [, script] of text.matchAll(/npm run(?:\s+(?:-s|--silent))*\s+([^\s`'")|\]]+)/g)) {
    if (!isPlaceholder(script) && !(script in packageJson.scripts)) missing.push(`npm run ${script}: no such script`);
  }
  for (const [, kind, name] of text.matchAll(/npm run (drill|bench) -- ([\w-]+)/g)) {
    const folder = kind === 'drill' ? 'drills' : 'bench';
    if (!exists(`${folder}/${name}.js`)) missing.push(`npm run ${kind} -- ${name}: no ${folder}/${name}.js`);
  }
  for (const [, command] of text.matchAll(/(?:npm run(?: -s)? cli --|node dist\/cli\.js) ([a-z][\w-]*)/g)) {
    if (!cliCommands.includes(command)) missing.push(`cli ${command}: no src/cli/${command}.command.ts`);
  }
  return missing;
}

/**
 * A benchmark figure: a measured rate (`828 req/s`), a percentile with its value (`p99 0.22 ms`), or a
 * throughput ratio with its value. Goals and thresholds are written with a comparison (`p99 < 50 ms`,
 * `p90 over 100 ms`, `>= 0.6`) and are not figures.
 */
const FIGURE =
  /\d[\d,.]*\s*(?:req|requests|ops|responses|documents|submissions|emissions|calls|polls|jobs|emails)\/s\b|\bp(?:50|90|95|99)(?:\s+(?:at|to|of|was|is))?\s+\d|throughput ratio:?\s+(?:from\s+)?\d|ratio from \d/i;

/** GitHub's anchor for a heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchorsOf = (path: string) =>
  new Set(
    read(path)
      .replace(/^```[\s\S]*?^```/gm, '')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => anchorOf(line.replace(/^#+ /, ''))),
  );
const headingsOf = (path: string) =>
  read(path)
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').replace(/`/g, ''));

const environmentVariables = new Set(
  read('.env.example')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);
/** Where variables read by the scripts, tests, drills and benchmarks (not the app's configuration) live. */
const toolingText = [...repoPaths]
  .filter((path) => /^(scripts|bench|drills|harness|test\/support|tools)\/.+\.(js|ts|sh)$/.test(path))
  .concat(['jest.config.js', 'Dockerfile', 'docker-compose.yml', 'package.json'])
  .map(read)
  .join('\n');

/** Every source the docs may name a class, function or option of. */
const codeText = [...repoPaths]
  .filter((path) => /^(src|migrations|harness|test|scripts|bench|drills)\/.+\.(ts|js)$/.test(path))
  .concat(['jest.config.js', 'eslint.config.js'])
  .map(read)
  .join('\n');
const withoutFences = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

describe('the docs name only what exists', () => {
  it.each(markdown)('%s: every path in backticks or a link is in the repository', (doc) => {
    const missing = spansOf(read(doc)).flatMap(({ span, line }) =>
      span
        .split(/\s+/)
        .map((word) => missingPath(word, doc))
        .filter((problem): problem is string => problem !== null)
        .map((problem) => `${doc}:${line} ${problem}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(commented)('%s: every path its comments name is in the repository', (file) => {
    const missing = commentsOf(file)
      .split(/\s+/)
      .filter((word) => ROOTS.some((folder) => word.replace(/^[("'`]+/, '').startsWith(`${folder}/`)))
      .map((word) => missingPath(word.replace(/`/g, ''), file))
      .filter((problem) => problem !== null);
    expect(missing).toEqual([]);
  });

  it('every repository path a comment in the code names is in the repository', () => {
    const sources = [...repoPaths].filter((path) =>
      /^(src|migrations|scripts|drills|bench|harness|test\/support|deploy)\/.+\.(ts|js|sh|ya?ml)$/.test(path),
    );
    const missing = sources.flatMap((file) =>
      read(file)
        .split('\n')
        .map((line) => /^\s*(?:\/\/|#|\*|\/\*\*)(.*)$/.exec(line)?.[1] ?? '')
        .flatMap((comment) => comment.split(/\s+/))
        .filter((word) => ROOTS.some((folder) => word.replace(/^[("'`]+/, '').startsWith(`${folder}/`)))
        .map((word) => missingPath(word.replace(/`/g, ''), file))
        .filter((problem) => problem !== null)
        .map((problem) => `${file}: ${problem}`),
    );
    expect(missing).toEqual([]);
  });

  it.each([...markdown, ...commented])(
    '%s: every npm script, drill, benchmark and CLI command it runs exists',
    (doc) => {
      const text = commented.includes(doc) ? commentsOf(doc) : read(doc);
      expect(missingCommands(text)).toEqual([]);
    },
  );

  it.each(markdown)('%s: every relative link reaches a file, and its #anchor a heading there', (doc) => {
    const broken: string[] = [];
    for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const path = file === '' ? doc : relative(root, join(root, dirname(doc), file));
      if (path.startsWith('..')) continue; // outside the repository (the API contract)
      if (!existsSync(join(root, path))) broken.push(`${target}: no ${path}`);
      else if (anchor && statSync(join(root, path)).isFile() && !anchorsOf(path).has(anchor))
        broken.push(`${target}: no heading #${anchor} in ${path}`);
    }
    expect(broken).toEqual([]);
  });

  it.each(markdown)('%s: a section it names in another doc ("doc.md" "Section") is a heading there', (doc) => {
    const broken: string[] = [];
    for (const [, file, quoted] of read(doc).matchAll(/([\w./-]+\.md)`?\)?,? \(?"([^"]+)"/g)) {
      const section = quoted.replace(/\s+/g, ' ');
      const path = [file, relative(root, join(root, dirname(doc), file))].find((candidate) =>
        existsSync(join(root, candidate)),
      );
      if (path === undefined) broken.push(`${file}: no such doc`);
      else if (!headingsOf(path).some((heading) => heading.startsWith(section)))
        broken.push(`${file} "${section}": no such heading`);
    }
    expect(broken).toEqual([]);
  });

  it.each(markdown)('%s: every variable in backticks is configuration or read by a script', (doc) => {
    const unknown = [...read(doc).matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)]
      .map(([, name]) => name)
      .filter((name) => !environmentVariables.has(name) && !toolingText.includes(name));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it.each(markdown)('%s: every class, function and option in backticks is in the code', (doc) => {
    // `TenantContext.runForTenant`, `SubmissionService.submit(…)`, `maxWorkers`: each name is in a source file.
    const unknown = [...withoutFences(read(doc)).matchAll(/`((?:[A-Z][a-z]|[a-z]+[A-Z])\w*(?:\.\w+)?)(?:\([^`]*\))?`/g)]
      .map(([, name]) => name)
      .filter((name) => !name.split('.').every((part) => new RegExp(`\\b${part}\\b`).test(codeText)));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('the queue list names every queue, and only those', () => {
    const lists = markdown.flatMap((doc) =>
      read(doc)
        .split('\n')
        .filter((line) => /^(- )?Queues: /.test(line))
        .map((line) => ({ doc, named: [...line.matchAll(/`([a-z-]+)`/g)].map(([, name]) => name) })),
    );
    expect(lists.length).toBeGreaterThan(0);
    for (const { doc, named } of lists)
      expect({ doc, named: [...new Set(named)].sort() }).toEqual({ doc, named: Object.values(QueueName).sort() });
  });
});

describe('benchmark figures live in bench/RESULTS.md only', () => {
  it.each(markdown)('%s: no measured rate, percentile value or throughput ratio', (doc) => {
    const copied = read(doc)
      .split('\n')
      .map((line, index) => ({ line, number: index + 1 }))
      .filter(({ line }) => FIGURE.test(line))
      .map(({ line, number }) => `${doc}:${number} ${line.trim()}`);
    expect(copied).toEqual([]);
  });

  it('the rule sees the figures it is meant to see, and lets goals through', () => {
    expect(FIGURE.test('500–828 req/s at 32 clients')).toBe(true);
    expect(FIGURE.test('about 61 responses/s')).toBe(true);
    expect(FIGURE.test('a submission pays p50 0.14 / p99 0.22 ms')).toBe(true);
    expect(FIGURE.test('throughput ratio: 0.44')).toBe(true);
    expect(FIGURE.test('measured `/health/live` p99 at 65.8 ms')).toBe(true);
    expect(FIGURE.test('goal: p99 < 50 ms')).toBe(false);
    expect(FIGURE.test('roll back when p90 is over 100 ms')).toBe(false);
    expect(FIGURE.test('goal: at least 0.6x its throughput at 32 connections')).toBe(false);
  });
});

describe('the path rule', () => {
  it('refuses a missing file and a misnamed extension, and lets placeholders and built files through', () => {
    expect(missingPath('scripts/check-deploy.sh', 'README.md')).toMatch(/no such path/);
    expect(missingPath('global-setup.ts', 'README.md')).toMatch(/no file has this name/);
    expect(missingPath('test/support/global-setup.js', 'README.md')).toBeNull();
    expect(missingPath('migrations/NNN-what-it-does.ts', 'README.md')).toBeNull();
    expect(missingPath('<feature>-worker.module.ts', 'README.md')).toBeNull();
    expect(missingPath('dist/worker.js', 'README.md')).toBeNull();
    expect(missingPath('dist/nothing.js', 'README.md')).toMatch(/no source/);
  });

  it('refuses a script or drill that does not exist', () => {
    expect(missingCommands('npm run drill -- mongo-outage and npm run test:unit')).toEqual([]);
    expect(missingCommands('npm run drill -- disk-full')).toEqual([
      'npm run drill -- disk-full: no drills/disk-full.js',
    ]);
    expect(missingCommands('npm run check:deploy')).toEqual(['npm run check:deploy: no such script']);
    expect(missingCommands('npm run cli -- purge')).toEqual(['cli purge: no src/cli/purge.command.ts']);
  });
});
