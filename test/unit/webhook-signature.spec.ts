import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import {
  newWebhookSecret,
  ROTATION_OVERLAP_MS,
  signatureHeaders,
  standardKey,
  standardSignature,
} from '../../src/modules/webhooks/webhook-signature.js';

describe('webhook signatures', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(standardKey(secret)).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('keys an older (hex) secret by its UTF-8 bytes', () => {
    expect(standardKey('ab'.repeat(32))).toEqual(Buffer.from('ab'.repeat(32), 'utf8'));
  });

  it("matches the Standard Webhooks specification's test vector", () => {
    expect(
      standardSignature(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        '1614265330',
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs as the official library does, for new and older secrets', () => {
    const at = new Date(1_700_000_000_000);
    const body = '{"é":"ü"}';
    const secret = newWebhookSecret();
    expect(standardSignature(secret, 'evt-1', '1700000000', body)).toBe(new Webhook(secret).sign('evt-1', at, body));
    const older = 'f0'.repeat(32);
    expect(standardSignature(older, 'evt-1', '1700000000', body)).toBe(
      new Webhook(older, { format: 'raw' }).sign('evt-1', at, body),
    );
  });

  it('adds the previous secret until its overlap ends, newest first', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const current = newWebhookSecret();
    const previous = newWebhookSecret();
    const headersAt = (expires: Date | null) =>
      signatureHeaders(
        { secret: current, previous_secret: previous, previous_secret_expires_at: expires },
        'e',
        '1',
        '{}',
        now,
      );
    const during = headersAt(new Date(now.getTime() + ROTATION_OVERLAP_MS));
    expect(during['webhook-signature']).toBe(
      `${standardSignature(current, 'e', '1', '{}')} ${standardSignature(previous, 'e', '1', '{}')}`,
    );
    expect(headersAt(new Date(now.getTime() - 1))['webhook-signature']).toBe(
      standardSignature(current, 'e', '1', '{}'),
    );
    expect(headersAt(null)['webhook-signature']).toBe(standardSignature(current, 'e', '1', '{}'));
    expect(during).toMatchObject({
      'webhook-id': 'e',
      'webhook-timestamp': '1',
      'x-webhook-id': 'e',
      'x-webhook-timestamp': '1',
    });
    expect(during['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});
