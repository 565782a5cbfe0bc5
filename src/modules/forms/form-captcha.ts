import { ApiError } from '../../infrastructure/http/api-error.js';

/** The captcha providers a form can use; each has its own verify URL (`CAPTCHA_<PROVIDER>_VERIFY_URL`). */
export const CAPTCHA_PROVIDERS = ['turnstile', 'hcaptcha', 'recaptcha'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];

/** A form's captcha as stored: the secret is read only by the submission's verification. */
export interface FormCaptcha {
  provider: CaptchaProvider;
  site_key: string;
  secret_key: string;
}

/** A captcha as a request sends it: `secret_key` may be left out of a `PATCH` (see `withCaptchaSecret`). */
export type CaptchaInput = Omit<FormCaptcha, 'secret_key'> & { secret_key?: string };

/** What every answer shows of a captcha: never the secret, only that one is set. */
export interface FormCaptchaView {
  provider: CaptchaProvider;
  site_key: string;
  secret_key_set: true;
}

export function captchaView(captcha: FormCaptcha | null | undefined): FormCaptchaView | null {
  return captcha ? { provider: captcha.provider, site_key: captcha.site_key, secret_key_set: true } : null;
}

/**
 * Completes a captcha sent without its secret. The secret is write-only, so an editor re-saving a
 * form (a UI sends back the settings it showed) cannot send it: the stored secret is kept when the
 * provider is unchanged. A new captcha, or a change of provider, needs its own secret (`400`).
 * `stored` is null on creation.
 */
export function withCaptchaSecret<Settings extends { captcha?: CaptchaInput | null }>(
  settings: Settings | undefined,
  stored: FormCaptcha | null | undefined,
): Settings | undefined {
  const captcha = settings?.captcha;
  if (!settings || !captcha || captcha.secret_key !== undefined) return settings;
  if (stored && stored.provider === captcha.provider) {
    return { ...settings, captcha: { ...captcha, secret_key: stored.secret_key } };
  }
  throw ApiError.validation([
    {
      field: 'settings.captcha.secret_key',
      message: 'is required for a new captcha or a change of provider',
    },
  ]);
}
