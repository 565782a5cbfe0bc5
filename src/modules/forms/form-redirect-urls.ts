import type { ErrorDetail } from '../../infrastructure/http/api-error.js';
import { MAX_URL_LENGTH } from './form-field.types.js';

/** The form settings that send a browser somewhere after its form post. */
export const REDIRECT_SETTINGS = ['success_url', 'error_url'] as const;

/**
 * Why a `success_url` / `error_url` may not be used, or null: it must be an `https://` URL (or
 * `http://localhost…` for development) whose origin the tenant lets embed its forms
 * (`allowed_origins`, any when it holds "*"). So a form cannot send visitors to a stranger's site.
 */
export function redirectUrlProblem(value: string, allowedOrigins: string[]): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  const local = url.protocol === 'http:' && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !local) return 'must be an https:// URL (or http://localhost)';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (!allowedOrigins.includes('*') && !allowedOrigins.includes(url.origin)) {
    return "must be on one of the tenant's allowed_origins";
  }
  return null;
}

/** Every problem with the redirect settings being saved (absent or null ones are fine). */
export function redirectSettingsProblems(
  settings: Partial<Record<(typeof REDIRECT_SETTINGS)[number], string | null>> | undefined,
  allowedOrigins: string[],
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const key of REDIRECT_SETTINGS) {
    const value = settings?.[key];
    if (typeof value !== 'string') continue;
    const problem = redirectUrlProblem(value, allowedOrigins);
    if (problem) problems.push({ field: `settings.${key}`, message: problem });
  }
  return problems;
}
