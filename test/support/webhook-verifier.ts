import { Webhook } from 'standardwebhooks';
import { documentedNodeVerifier } from '../../harness/webhook-verifiers.js';
import type { ReceivedHook } from './webhook-receiver.js';

/** The Node snippet of docs/api.md: the event when the delivery is genuine, else it throws. */
export type DocumentedVerifier = Awaited<ReturnType<typeof documentedNodeVerifier>>;

/** The signature check docs/api.md gives receivers (after its `verify-webhook` marker), run as written. */
export function documentedVerifier(): Promise<DocumentedVerifier> {
  return documentedNodeVerifier();
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
