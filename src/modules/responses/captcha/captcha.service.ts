import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../../infrastructure/http/error-codes.js';
import { Metrics } from '../../../infrastructure/metrics/metrics.js';
import type { CaptchaProvider, FormCaptcha } from '../../forms/index.js';
import { type CaptchaVerdict, unavailable, verdictOf } from './captcha-verdict.js';

/** What the captcha step reads of a submission: the visitor's token and address. */
export interface CaptchaControls {
  captchaToken?: string;
  clientIp?: string;
}

/** Providers' tokens are at most a few KB (Turnstile: 2,048 characters); longer is not one, and costs no call. */
const MAX_TOKEN_LENGTH = 8_192;

/**
 * A form's captcha, checked server side with the provider's verify API before a submission is
 * stored. Missing or refused: `400 captcha_failed`; a provider that cannot say (unreachable, slower
 * than `CAPTCHA_VERIFY_TIMEOUT_MS`, non-2xx, not its JSON): `503 captcha_unavailable`. Neither the
 * token nor the secret is ever logged or counted; only the provider and the outcome are.
 */
@Injectable()
export class CaptchaService {
  private readonly logger = new Logger(CaptchaService.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly metrics: Metrics,
  ) {}

  /** Passes when the form has no captcha or the provider accepts the token; throws the contract's error otherwise. */
  async verify(form: { captcha: FormCaptcha | null }, controls: CaptchaControls): Promise<void> {
    const { captcha } = form;
    if (!captcha) return;
    const token = controls.captchaToken?.trim();
    if (!token) {
      this.metrics.captchaVerified(captcha.provider, 'missing');
      throw captchaFailed('This form needs a captcha token (the X-Captcha-Token header or the provider’s form field)');
    }
    const verdict =
      token.length > MAX_TOKEN_LENGTH
        ? { outcome: 'refused' as const, errorCodes: [] }
        : await this.ask(captcha, token, controls.clientIp);
    this.metrics.captchaVerified(captcha.provider, verdict.outcome);
    if (verdict.outcome === 'passed') return;
    if (verdict.outcome === 'refused') {
      const codes = verdict.errorCodes.length ? ` (${verdict.errorCodes.join(', ')})` : '';
      throw captchaFailed(`The captcha was not accepted${codes}`);
    }
    this.logger.warn(`Captcha provider ${captcha.provider} could not verify a token: ${verdict.reason}`);
    const error = new ApiError(
      HttpStatus.SERVICE_UNAVAILABLE,
      ErrorCode.CaptchaUnavailable,
      'The captcha could not be checked right now; retry shortly',
    );
    error.headers['retry-after'] = '5';
    throw error;
  }

  /** One POST to the provider's verify URL, bounded in time; every failure to get an answer is `unavailable`. */
  private async ask(captcha: FormCaptcha, token: string, clientIp: string | undefined): Promise<CaptchaVerdict> {
    const { verifyUrls, timeoutMs } = this.config.captcha;
    const form = new URLSearchParams({ secret: captcha.secret_key, response: token });
    if (clientIp) form.set('remoteip', clientIp);
    try {
      const answer = await fetch(verifyUrls[captcha.provider satisfies CaptchaProvider], {
        method: 'POST',
        body: form,
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      return verdictOf(answer.status, await answer.text());
    } catch (error) {
      return unavailable(failureOf(error, timeoutMs));
    }
  }
}

function captchaFailed(message: string): ApiError {
  return new ApiError(HttpStatus.BAD_REQUEST, ErrorCode.CaptchaFailed, message);
}

/** A short reason without addresses or payloads: the timeout, or the network error's code. */
function failureOf(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? `unreachable (${cause})` : 'unreachable';
}
