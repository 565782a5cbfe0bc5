/**
 * What a provider's verify API said, read the same way for Turnstile, hCaptcha and reCAPTCHA: each
 * answers a form-encoded POST with JSON `{ success, "error-codes": [...] }`.
 */
export type CaptchaOutcome = 'passed' | 'refused' | 'unavailable';

export interface CaptchaVerdict {
  outcome: CaptchaOutcome;
  /** The provider's `error-codes` (their documented short codes; anything else is left out). */
  errorCodes: string[];
  /** Why the provider could not say, for the log line (never the token or the secret). */
  reason?: string;
}

/** Codes the providers document look like `timeout-or-duplicate`; nothing else is repeated anywhere. */
const ERROR_CODE = /^[a-z0-9-]{1,64}$/;
const MAX_ERROR_CODES = 5;

/**
 * Turnstile's `internal-error` is the provider failing, not the token ("the request can be retried"):
 * the visitor gets 503 and may retry, rather than a 400 that blames their token.
 */
const PROVIDER_FAULTS = new Set(['internal-error']);

/** The verdict of one verify answer: only a 2xx JSON answer with a boolean `success` decides. */
export function verdictOf(status: number, body: string): CaptchaVerdict {
  if (status < 200 || status > 299) return unavailable(`answered ${status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return unavailable('answered something other than JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { success?: unknown }).success !== 'boolean') {
    return unavailable('answered JSON without a boolean success');
  }
  const { success, 'error-codes': codes } = parsed as { success: boolean; 'error-codes'?: unknown };
  const errorCodes = Array.isArray(codes)
    ? codes
        .filter((code): code is string => typeof code === 'string' && ERROR_CODE.test(code))
        .slice(0, MAX_ERROR_CODES)
    : [];
  if (success) return { outcome: 'passed', errorCodes };
  if (errorCodes.some((code) => PROVIDER_FAULTS.has(code))) {
    return { ...unavailable(`reported ${errorCodes.join(', ')}`), errorCodes };
  }
  return { outcome: 'refused', errorCodes };
}

export function unavailable(reason: string): CaptchaVerdict {
  return { outcome: 'unavailable', errorCodes: [], reason };
}
