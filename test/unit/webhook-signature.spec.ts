import { describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import { Webhook } from 'standardwebhooks';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import type { StoreLock } from '../../src/infrastructure/database/store-lock.js';
import type { ApiError } from '../../src/infrastructure/http/api-error.js';
import type { AuditLogService } from '../../src/modules/events/audit-log.service.js';
import type { FormsService } from '../../src/modules/forms/index.js';
import type { WebhookHostResolver } from '../../src/modules/webhooks/webhook-host-resolver.js';
import type { WebhookJobsService } from '../../src/modules/webhooks/webhook-jobs.service.js';
import {
  newWebhookSecret,
  ROTATION_OVERLAP_MS,
  signatureHeaders,
  standardKey,
  standardSignature,
} from '../../src/modules/webhooks/webhook-signature.js';
import type { WebhooksRepository } from '../../src/modules/webhooks/webhooks.repository.js';
import { WebhooksService } from '../../src/modules/webhooks/webhooks.service.js';

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

describe('secret rotation', () => {
  const serviceWith = (replaceSecret: (...args: unknown[]) => Promise<boolean>) =>
    new WebhooksService(
      { findById: async () => ({ secret: 'whsec_current' }), replaceSecret } as unknown as WebhooksRepository,
      {} as WebhookJobsService,
      {} as AuditLogService,
      {} as AppConfigService,
      {} as WebhookHostResolver,
      {} as StoreLock,
      {} as FormsService,
    );

  it('replaces the stored secret, keeping it as the previous one for 24 hours', async () => {
    const calls: unknown[][] = [];
    const secret = await serviceWith(async (...args) => {
      calls.push(args);
      return true;
    }).rotateSecret(new Types.ObjectId());
    expect(secret).toMatch(/^whsec_/);
    expect(calls).toHaveLength(1);
    const [, current, next, until] = calls[0] as [unknown, string, string, Date];
    expect([current, next]).toEqual(['whsec_current', secret]);
    expect(until.getTime() - Date.now()).toBeGreaterThan(ROTATION_OVERLAP_MS - 5_000);
  });

  it('answers 503 when other rotations keep coming first', async () => {
    let tries = 0;
    const rotation = serviceWith(async () => {
      tries += 1;
      return false;
    }).rotateSecret(new Types.ObjectId());
    const refused = (await rotation.catch((error: unknown) => error)) as ApiError;
    expect([refused.getStatus(), refused.getResponse()]).toEqual([
      503,
      expect.objectContaining({ error: 'service_unavailable' }),
    ]);
    expect(tries).toBe(3);
  });
});
