import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import type { ReceivedHook } from './webhook-receiver.js';

/** The Node snippet of docs/api.md: the event when the delivery is genuine, else it throws. */
export type DocumentedVerifier = (
  secret: string,
  headers: Record<string, unknown>,
  rawBody: string | Buffer,
) => unknown;

/**
 * The signature check docs/api.md gives receivers (the block after its `verify-webhook` marker), run
 * as written. It is written to a temporary file, where the bare name `standardwebhooks` would not
 * resolve: only that specifier is replaced, by the installed package's own URL.
 */
export async function documentedVerifier(): Promise<DocumentedVerifier> {
  const guide = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const snippet = /<!-- verify-webhook:[^>]*-->\s*```js\n([\s\S]*?)\n```/.exec(guide)?.[1];
  expect(snippet).toBeDefined();
  expect(snippet).toContain("from 'standardwebhooks'");
  const resolved = pathToFileURL(join(process.cwd(), 'node_modules/standardwebhooks/dist/index.js')).href;
  const file = join(await mkdtemp(join(tmpdir(), 'verify-webhook-')), 'verify-webhook.mjs');
  await writeFile(file, snippet!.replace("from 'standardwebhooks'", `from '${resolved}'`));
  return ((await import(pathToFileURL(file).href)) as { verifyWebhook: DocumentedVerifier }).verifyWebhook;
}

/**
 * The official Standard Webhooks verifier, used as its README says: a `whsec_` secret as it is, an
 * older secret (hex, so its UTF-8 bytes are its characters) as a raw key. True when it accepts the delivery.
 */
export function officiallyVerified(secret: string, hook: Pick<ReceivedHook, 'headers' | 'body'>): boolean {
  const verifier = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(secret, { format: 'raw' });
  try {
    verifier.verify(hook.body, hook.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}
