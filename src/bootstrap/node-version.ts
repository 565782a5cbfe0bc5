/**
 * The lowest Node.js the processes run on: the release the whole test suite runs on (the `node`
 * devDependency). package.json's `engines.node` names the same (a unit test compares them) and the
 * system tier starts the built API on exactly this release. Why not lower: the `argon2` binding
 * segfaults on import under Node 20 and early 22 releases, and the CLI cannot start on 24.0.0; see
 * docs/operations.md, "Node.js versions".
 */
export const LOWEST_SUPPORTED_NODE = '24.9.0';

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
}

/** True when `version` (as `process.versions.node` spells it) is at least `floor`. */
export function isAtLeast(version: string, floor: string): boolean {
  const [have, need] = [parts(version), parts(floor)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (have[index] ?? 0) - (need[index] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

/** The one line an operator reads when the process refuses this Node, or null when it is supported. */
export function unsupportedNodeMessage(version: string = process.versions.node): string | null {
  if (isAtLeast(version, LOWEST_SUPPORTED_NODE)) return null;
  return `Node.js ${LOWEST_SUPPORTED_NODE} or newer is required; this is Node.js ${version}`;
}
