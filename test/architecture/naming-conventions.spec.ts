import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

/** The kinds of class that carry their kind in both names: `FooBarService` lives in `foo-bar.service.ts`. */
const KINDS = [
  'Service',
  'Repository',
  'Listener',
  'Processor',
  'Controller',
  'Module',
  'Guard',
  'Pipe',
  'Filter',
  'Command',
];

const kebab = (pascal: string) => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The file a class must live in, when its name ends with a kind. */
export function fileForClass(className: string): string | null {
  const kind = KINDS.find((candidate) => className.endsWith(candidate) && className !== candidate);
  return kind ? `${kebab(className.slice(0, -kind.length))}.${kind.toLowerCase()}.ts` : null;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const exportedClasses = (source: string) =>
  [...source.matchAll(/^export (?:abstract )?class (\w+)/gm)].map((match) => match[1]);

describe('file and class names', () => {
  const files = sourceFiles(join(process.cwd(), 'src')).map((path) => ({
    path: relative(process.cwd(), path),
    classes: exportedClasses(readFileSync(path, 'utf8')),
  }));

  it('put every class named after a kind in the file named after the class', () => {
    const misplaced = files.flatMap(({ path, classes }) =>
      classes
        .filter((name) => fileForClass(name) !== null && fileForClass(name) !== basename(path))
        .map((name) => `${name} in ${path} (expected ${fileForClass(name)})`),
    );
    expect(misplaced).toEqual([]);
  });

  it('give every file named after a kind the class its name promises', () => {
    const kindFile = new RegExp(`\\.(${KINDS.map((kind) => kind.toLowerCase()).join('|')})\\.ts$`);
    const broken = files
      .filter(({ path }) => kindFile.test(path))
      .filter(({ path, classes }) => !classes.some((name) => fileForClass(name) === basename(path)))
      .map(({ path, classes }) => `${path} exports ${classes.join(', ') || 'no class'}`);
    expect(broken).toEqual([]);
  });

  it('derives the file name from the class name', () => {
    expect(fileForClass('EventDispatcherService')).toBe('event-dispatcher.service.ts');
    expect(fileForClass('WebhookDeliveryProcessor')).toBe('webhook-delivery.processor.ts');
    expect(fileForClass('TenantResolver')).toBeNull();
  });
});
