import { describe, expect, it } from '@jest/globals';
import { isPrivateAddress, webhookTargetProblem } from '../../src/modules/webhooks/webhook-target.js';
import { signatureOf } from '../../src/modules/webhooks/webhook-delivery.service.js';

describe('webhook targets', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.20.30.40', true],
    ['172.16.5.4', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
  ])('%s private: %s', (address, isPrivate) => {
    expect(isPrivateAddress(address)).toBe(isPrivate);
  });

  it('refuses loopback and private targets unless allowed, and non-http schemes always', async () => {
    expect(await webhookTargetProblem('http://127.0.0.1:8080/hook', false)).toBe(
      'must not point at a loopback or private address',
    );
    expect(await webhookTargetProblem('http://[::1]/hook', false)).toBe(
      'must not point at a loopback or private address',
    );
    expect(await webhookTargetProblem('http://localhost/hook', false)).toBe(
      'must not point at a loopback or private address',
    );
    expect(await webhookTargetProblem('http://127.0.0.1:8080/hook', true)).toBeNull();
    expect(await webhookTargetProblem('https://93.184.216.34/hook', false)).toBeNull();
    expect(await webhookTargetProblem('file:///etc/passwd', true)).toBe('must be an absolute http(s) URL');
    expect(await webhookTargetProblem('https://user:pw@93.184.216.34/', false)).toBe('must not carry credentials');
    expect(await webhookTargetProblem('not a url', false)).toBe('must be an absolute http(s) URL');
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 (vector from openssl dgst -sha256 -hmac)', () => {
    expect(signatureOf('secret', '1700000000', '{"a":1}')).toBe(
      'sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
    );
  });
});
