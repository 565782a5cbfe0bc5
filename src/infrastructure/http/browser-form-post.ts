import type { FastifyRequest } from 'fastify';
import { TenantContext } from '../tenancy/tenant-context.js';

/** The two bodies a plain HTML `<form method="post">` sends. */
const FORM_BODY_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** The media type of a request's body, lower-cased and without parameters (`charset`, `boundary`). */
export function bodyMediaType(request: Pick<FastifyRequest, 'headers'>): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Whether the body is one an HTML form posts (urlencoded or multipart), whoever sent it. */
export function isFormBody(request: Pick<FastifyRequest, 'headers'>): boolean {
  return FORM_BODY_TYPES.includes(bodyMediaType(request));
}

/**
 * How much `Accept` wants `type` (RFC 9110 §12.5.1): the quality of the most specific range that
 * matches it (`text/html` before `text/*` before `*\/*`), 0 when none does. No `Accept`: anything.
 */
export function acceptQuality(accept: string | undefined, type: string): number {
  if (!accept?.trim()) return 1;
  const [major] = type.split('/');
  let best = { specificity: -1, quality: 0 };
  for (const range of accept.split(',')) {
    const [name, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const specificity = name === type ? 2 : name === `${major}/*` ? 1 : name === '*/*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const q = params.find((param) => param.startsWith('q='));
    const quality = q ? Number(q.slice(2)) : 1;
    best = { specificity, quality: Number.isFinite(quality) ? quality : 0 };
  }
  return best.quality;
}

/**
 * A browser's own form post: a form body from a client that prefers HTML to JSON. Browsers send
 * `Accept: text/html,…,*\/*;q=0.8`; `fetch` and XHR send `*\/*` or `application/json`, and a tie
 * goes to JSON, so scripts keep today's JSON answers.
 */
export function isBrowserFormPost(request: Pick<FastifyRequest, 'headers'>): boolean {
  if (!isFormBody(request)) return false;
  const accept = request.headers.accept;
  return acceptQuality(accept, 'text/html') > acceptQuality(accept, 'application/json');
}

/** The built-in thanks page, which a browser reaches by following a 303. */
const THANKS_PAGE = /^\/api\/v1\/forms\/[^/?]+\/thanks(?:\?|$)/i;

/**
 * Whether an error is answered with a page a person can read (or the form's `error_url`) instead of
 * JSON: a browser's form post, or a browser on the built-in thanks page.
 */
export function wantsErrorPage(request: Pick<FastifyRequest, 'headers' | 'method' | 'url'>): boolean {
  if (isBrowserFormPost(request)) return true;
  const accept = request.headers.accept;
  return (
    request.method === 'GET' &&
    THANKS_PAGE.test(request.url) &&
    acceptQuality(accept, 'text/html') > acceptQuality(accept, 'application/json')
  );
}

/** Adds `key=value` to a URL's query, keeping what it has (its fragment stays last). */
export function withQueryParameter(url: string, key: string, value: string): string {
  const target = new URL(url);
  target.searchParams.append(key, value);
  return target.toString();
}

/**
 * Where a browser's form posts about a form go on an error: the form's `error_url`, when the form
 * belongs to the tenant the request names (an error may come before that tenant is resolved). The
 * forms module provides it.
 */
export abstract class BrowserFormTargets {
  /** The form's `error_url`, or null (no such form in this tenant, or none set). */
  abstract errorUrlFor(formId: string, tenantId: string): Promise<string | null>;
}

/**
 * The tenant a request is in: the one resolved for it when resolution got that far, else the one it
 * names (`X-Tenant-ID`, else a web page's `?tenant=`); undefined when it names none.
 */
export function requestTenantId(request: FastifyRequest): string | undefined {
  try {
    return TenantContext.tenantId();
  } catch {
    const header = request.headers['x-tenant-id'];
    if (typeof header === 'string') return header;
    const query = (request.query as Record<string, unknown> | undefined)?.tenant;
    return typeof query === 'string' ? query : undefined;
  }
}

/** The endpoint a browser's form posts reach: a form's submit. */
const SUBMIT_ENDPOINT = /^\/api\/v1\/forms\/([0-9a-f]{24})\/submit(?:\?|$)/i;

/** The form id of a submit URL, lower-cased; undefined for any other URL. */
export function submittedFormId(url: string): string | undefined {
  return SUBMIT_ENDPOINT.exec(url)?.[1]?.toLowerCase();
}
