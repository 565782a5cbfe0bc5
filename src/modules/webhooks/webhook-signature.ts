import { createHmac, randomBytes } from 'node:crypto';

/** The Standard Webhooks prefix of a secret whose key is the base64 after it. */
const STANDARD_PREFIX = 'whsec_';

/** How long a rotated-out secret keeps signing deliveries beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** A new subscription's (or a rotation's) secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `${STANDARD_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * The Standard Webhooks key of a secret: the bytes its base64 part decodes to, or, for a secret made
 * before `whsec_` secrets (64 hex characters), that string's UTF-8 bytes, as the contract keeps them.
 */
export function standardKey(secret: string): Buffer {
  return secret.startsWith(STANDARD_PREFIX)
    ? Buffer.from(secret.slice(STANDARD_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`: one Standard Webhooks signature. */
export function standardSignature(secret: string, id: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The older `X-Webhook-Signature`: hex HMAC-SHA256 of "<timestamp>.<body>", keyed by the whole secret string. */
export function legacySignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The secrets a delivery is signed with now: the current one, and the one rotated out less than 24 h ago. */
export interface SigningSecrets {
  secret: string;
  previous_secret?: string | null;
  previous_secret_expires_at?: Date | null;
}

/**
 * The signature headers of one delivery attempt, both generations: `webhook-*` (Standard Webhooks,
 * one `v1,` signature per live secret, newest first) and `X-Webhook-*` for receivers made before it.
 * The older header has room for one signature: the current secret's.
 */
export function signatureHeaders(
  secrets: SigningSecrets,
  eventId: string,
  timestamp: string,
  body: string,
  now = new Date(),
): Record<string, string> {
  const live = [secrets.secret];
  if (secrets.previous_secret && secrets.previous_secret_expires_at && secrets.previous_secret_expires_at > now) {
    live.push(secrets.previous_secret);
  }
  return {
    'webhook-id': eventId,
    'webhook-timestamp': timestamp,
    'webhook-signature': live.map((secret) => standardSignature(secret, eventId, timestamp, body)).join(' '),
    'x-webhook-id': eventId,
    'x-webhook-timestamp': timestamp,
    'x-webhook-signature': legacySignature(secrets.secret, timestamp, body),
  };
}
