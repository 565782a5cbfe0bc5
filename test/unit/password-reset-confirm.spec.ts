import { describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import { SingleUseToken } from '../../src/infrastructure/auth/single-use-token.js';
import { PasswordResetService } from '../../src/modules/users/password-reset.service.js';

/** Fakes around the service: the store holds one pending reset; the hasher counts its (costly) calls. */
function serviceWith(pending: { token_hash: string; expires_at: Date } | null) {
  const hashed: string[] = [];
  const users = {
    pendingPasswordReset: async () => pending,
    consumePasswordReset: async () => true,
  };
  const hasher = {
    hash: async (password: string) => {
      hashed.push(password);
      return `hash:${password}`;
    },
  };
  const sessions = { revoked: async () => undefined };
  const service = new PasswordResetService(
    users as never,
    sessions as never,
    hasher as never,
    {} as never,
    {} as never,
    {} as never,
  );
  return { service, hashed };
}

describe('password reset confirm', () => {
  const userId = new Types.ObjectId();
  const { token, hash } = SingleUseToken.mint(userId);
  const inAnHour = new Date(Date.now() + 3_600_000);

  it('refuses junk, unknown, wrong and expired tokens without hashing anything', async () => {
    const cases: [string, { token_hash: string; expires_at: Date } | null][] = [
      ['not-a-token', { token_hash: hash, expires_at: inAnHour }],
      [token, null],
      [`${userId.toHexString()}.${'A'.repeat(43)}`, { token_hash: hash, expires_at: inAnHour }],
      [token, { token_hash: hash, expires_at: new Date(Date.now() - 1) }],
    ];
    for (const [candidate, pending] of cases) {
      const { service, hashed } = serviceWith(pending);
      await expect(service.confirm({ token: candidate, password: 'new-password-1' })).rejects.toMatchObject({
        code: 'invalid_token',
      });
      expect(hashed).toEqual([]);
    }
  });

  it('hashes the new password once the token checks out', async () => {
    const { service, hashed } = serviceWith({ token_hash: hash, expires_at: inAnHour });
    await service.confirm({ token, password: 'new-password-1' });
    expect(hashed).toEqual(['new-password-1']);
  });
});
