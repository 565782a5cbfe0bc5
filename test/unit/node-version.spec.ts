import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { isAtLeast, LOWEST_SUPPORTED_NODE, unsupportedNodeMessage } from '../../src/bootstrap/node-version.js';

describe('the supported Node.js versions', () => {
  it('are what package.json promises: engines.node is ">=" the guard\'s floor', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(manifest.engines.node).toBe(`>=${LOWEST_SUPPORTED_NODE}`);
  });

  it('include the image: every stage of the Dockerfile builds on the floor major or a later one', () => {
    const bases = [...readFileSync('Dockerfile', 'utf8').matchAll(/^FROM node:(\d+)\S*/gm)].map((match) => match[1]);
    expect(bases.length).toBeGreaterThan(0);
    // A floating major tag (node:24-…) is that major's newest release, at or above the floor.
    for (const major of bases)
      expect(Number(major)).toBeGreaterThanOrEqual(Number(LOWEST_SUPPORTED_NODE.split('.')[0]));
  });

  it('compare releases part by part, numerically', () => {
    expect(isAtLeast('24.9.0', '24.9.0')).toBe(true);
    expect(isAtLeast('24.10.0', '24.9.0')).toBe(true);
    expect(isAtLeast('25.0.0', '24.9.0')).toBe(true);
    expect(isAtLeast('v24.9.1', '24.9.0')).toBe(true);
    expect(isAtLeast('24.8.9', '24.9.0')).toBe(false);
    expect(isAtLeast('20.20.2', '24.9.0')).toBe(false);
    expect(isAtLeast('24.9', '24.9.0')).toBe(true);
  });

  it('refuse an older Node in one line naming the required release, and accept the running one', () => {
    expect(unsupportedNodeMessage('20.20.2')).toBe(
      `Node.js ${LOWEST_SUPPORTED_NODE} or newer is required; this is Node.js 20.20.2`,
    );
    expect(unsupportedNodeMessage('24.0.0')).toMatch(/^Node\.js \S+ or newer is required; this is Node\.js 24\.0\.0$/);
    expect(unsupportedNodeMessage()).toBeNull();
  });
});
