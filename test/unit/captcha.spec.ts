import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { ApiError } from '../../src/infrastructure/http/api-error.js';
import type { Metrics } from '../../src/infrastructure/metrics/metrics.js';
import { captchaView, type FormCaptcha, withCaptchaSecret } from '../../src/modules/forms/form-captcha.js';
import { verdictOf } from '../../src/modules/responses/captcha/captcha-verdict.js';
import { CaptchaService } from '../../src/modules/responses/captcha/captcha.service.js';

const stored: FormCaptcha = { provider: 'turnstile', site_key: 'site', secret_key: 'the-secret' };

describe('what a captcha provider’s verify answer means', () => {
  it('passes on success: true and refuses on success: false, keeping only well-formed error codes', () => {
    expect(verdictOf(200, '{"success":true,"error-codes":[]}')).toEqual({ outcome: 'passed', errorCodes: [] });
    expect(verdictOf(200, '{"success":true}')).toEqual({ outcome: 'passed', errorCodes: [] });
    expect(
      verdictOf(
        200,
        JSON.stringify({ success: false, 'error-codes': ['timeout-or-duplicate', 'Bad <b>', 7, 'a', 'b', 'c', 'd'] }),
      ),
    ).toEqual({ outcome: 'refused', errorCodes: ['timeout-or-duplicate', 'a', 'b', 'c', 'd'] });
    expect(verdictOf(200, '{"success":false,"error-codes":"oops"}')).toEqual({ outcome: 'refused', errorCodes: [] });
  });

  it('cannot say on a non-2xx, a body that is not JSON, JSON without a boolean success, or a provider fault', () => {
    for (const [status, body] of [
      [500, '{"success":true}'],
      [302, ''],
      [200, '<html></html>'],
      [200, 'null'],
      [200, '[true]'],
      [200, '{"success":"true"}'],
      [200, '{"success":false,"error-codes":["internal-error"]}'],
    ] as const) {
      expect(verdictOf(status, body)).toMatchObject({ outcome: 'unavailable', reason: expect.any(String) });
    }
    expect(verdictOf(200, '{"success":false,"error-codes":["internal-error"]}').errorCodes).toEqual(['internal-error']);
  });
});

describe('the captcha check of a submission', () => {
  const counted: string[] = [];
  const service = new CaptchaService(
    {
      captcha: {
        verifyUrls: {
          turnstile: 'http://t.test/verify',
          hcaptcha: 'http://h.test/verify',
          recaptcha: 'http://r.test/verify',
        },
        timeoutMs: 50,
      },
    } as unknown as AppConfigService,
    {
      captchaVerified: (provider: string, outcome: string) => counted.push(`${provider}:${outcome}`),
    } as unknown as Metrics,
  );
  const fetchAnswering = (answer: () => Promise<Response>) =>
    jest.spyOn(globalThis, 'fetch').mockImplementation(answer);
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'passed',
      (error: unknown) => (error instanceof ApiError ? `${error.getStatus()} ${error.code}` : String(error)),
    );

  afterEach(() => {
    jest.restoreAllMocks();
    counted.length = 0;
  });

  it('lets forms without a captcha through without asking anyone', async () => {
    const fetch = fetchAnswering(() => Promise.reject(new Error('not called')));
    await expect(service.verify({ captcha: null }, { captchaToken: 'whatever' })).resolves.toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
    expect(counted).toEqual([]);
  });

  it('posts the secret, the token and the address form-encoded to the provider’s URL', async () => {
    const fetch = fetchAnswering(() => Promise.resolve(new Response('{"success":true}')));
    await service.verify(
      { captcha: { ...stored, provider: 'hcaptcha' } },
      { captchaToken: ' tok ', clientIp: '203.0.113.9' },
    );
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('http://h.test/verify');
    expect(String(init.body)).toBe('secret=the-secret&response=tok&remoteip=203.0.113.9');
    expect(init.signal).toBeInstanceOf(AbortSignal);
    await service.verify({ captcha: stored }, { captchaToken: 'tok' });
    expect(String((fetch.mock.calls[1] as [string, RequestInit])[1].body)).toBe('secret=the-secret&response=tok');
    expect(counted).toEqual(['hcaptcha:passed', 'turnstile:passed']);
  });

  it('maps every outcome to the contract’s answer and counts it', async () => {
    fetchAnswering(() => Promise.resolve(new Response('{"success":false,"error-codes":["invalid-input-response"]}')));
    expect(await codeOf(service.verify({ captcha: stored }, {}))).toBe('400 captcha_failed');
    expect(await codeOf(service.verify({ captcha: stored }, { captchaToken: 'x'.repeat(9_000) }))).toBe(
      '400 captcha_failed',
    );
    expect(await codeOf(service.verify({ captcha: stored }, { captchaToken: 'tok' }))).toBe('400 captcha_failed');
    jest.restoreAllMocks();
    fetchAnswering(() => Promise.resolve(new Response('busy', { status: 503 })));
    expect(await codeOf(service.verify({ captcha: stored }, { captchaToken: 'tok' }))).toBe('503 captcha_unavailable');
    expect(counted).toEqual(['turnstile:missing', 'turnstile:refused', 'turnstile:refused', 'turnstile:unavailable']);
  });

  it('answers 503 when the request itself fails: timed out, refused, or anything else', async () => {
    const warnings: string[] = [];
    jest.spyOn(service['logger'], 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    for (const failure of [
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      new Error('something else'),
      null,
    ]) {
      jest.spyOn(globalThis, 'fetch').mockRejectedValueOnce(failure);
      expect(await codeOf(service.verify({ captcha: stored }, { captchaToken: 'secret-token' }))).toBe(
        '503 captcha_unavailable',
      );
    }
    expect(warnings).toEqual([
      'Captcha provider turnstile could not verify a token: no answer within 50 ms',
      'Captcha provider turnstile could not verify a token: unreachable (ECONNREFUSED)',
      'Captcha provider turnstile could not verify a token: unreachable',
      'Captcha provider turnstile could not verify a token: unreachable',
    ]);
    expect(warnings.join(' ')).not.toMatch(/secret/);
  });
});

describe('the write-only captcha secret', () => {
  it('is never shown: answers say only that it is set', () => {
    expect(captchaView(stored)).toEqual({ provider: 'turnstile', site_key: 'site', secret_key_set: true });
    expect(captchaView(null)).toBeNull();
    expect(captchaView(undefined)).toBeNull();
  });

  it('is kept when a change resends the same provider without it, and needed otherwise', () => {
    const resent = { captcha: { provider: 'turnstile' as const, site_key: 'new-site' } };
    expect(withCaptchaSecret(resent, stored)).toEqual({ captcha: { ...resent.captcha, secret_key: 'the-secret' } });
    const withSecret = { captcha: { ...resent.captcha, secret_key: 'another' } };
    expect(withCaptchaSecret(withSecret, stored)).toBe(withSecret);
    expect(withCaptchaSecret({ captcha: null }, stored)).toEqual({ captcha: null });
    expect(withCaptchaSecret(undefined, stored)).toBeUndefined();
    expect(() => withCaptchaSecret({ captcha: { ...resent.captcha, provider: 'hcaptcha' } }, stored)).toThrow(ApiError);
    expect(() => withCaptchaSecret(resent, null)).toThrow(ApiError);
  });
});
