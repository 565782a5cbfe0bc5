import { describe, expect, it, jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { AllExceptionsFilter } from '../../src/infrastructure/http/all-exceptions.filter.js';
import { ApiError } from '../../src/infrastructure/http/api-error.js';
import {
  requestTenantId,
  acceptQuality,
  BrowserFormTargets,
  isBrowserFormPost,
  wantsErrorPage,
  withQueryParameter,
} from '../../src/infrastructure/http/browser-form-post.js';
import { errorPage, escapeHtml, thanksPage } from '../../src/infrastructure/http/html-pages.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const FORM = 'application/x-www-form-urlencoded';

describe('escaping and the built-in pages', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('shows the form title escaped on the thanks page', () => {
    const html = thanksPage('<script>alert("t")</script>');
    expect(html).toContain('<h1>Thank you</h1>');
    expect(html).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script');
  });

  it('lists every problem escaped, with a link back to the Referer, else the Origin, never a script URL', () => {
    const error = ApiError.validation([
      { field: 'data.<b>', message: 'is "bad"' },
      { field: 'data.email', message: 'must be an email' },
    ]).getResponse() as never;
    const html = errorPage(error, { referer: 'https://shop.example/form?a=1&b="2"' });
    expect(html).toContain('<li><strong>data.&lt;b&gt;</strong>: is &quot;bad&quot;</li>');
    expect(html).toContain('<li><strong>data.email</strong>: must be an email</li>');
    expect(html).toContain('<a href="https://shop.example/form?a=1&amp;b=%222%22">Back to the form</a>');
    expect(errorPage(error, { referer: 'javascript:alert(1)', origin: 'https://o.example' })).toContain(
      '<a href="https://o.example/">',
    );
    const noWay = errorPage(error, { referer: 'nonsense' });
    expect(noWay).not.toContain('<a ');
    expect(noWay).toContain("browser's Back button");
  });
});

describe('who gets a page', () => {
  it('weighs Accept by the most specific matching range', () => {
    expect(acceptQuality(undefined, 'text/html')).toBe(1);
    expect(acceptQuality(BROWSER, 'text/html')).toBe(1);
    expect(acceptQuality(BROWSER, 'application/json')).toBe(0.8);
    expect(acceptQuality('text/*;q=0.5, application/json', 'text/html')).toBe(0.5);
    expect(acceptQuality('application/json', 'text/html')).toBe(0);
    expect(acceptQuality('text/html;q=abc', 'text/html')).toBe(0);
  });

  it('is a form body from a client preferring HTML to JSON; a tie goes to JSON', () => {
    const request = (accept: string | undefined, type = FORM) => ({ headers: { accept, 'content-type': type } });
    expect(isBrowserFormPost(request(BROWSER))).toBe(true);
    expect(isBrowserFormPost(request(BROWSER, 'multipart/form-data; boundary=x'))).toBe(true);
    expect(isBrowserFormPost(request(BROWSER, 'application/json'))).toBe(false);
    expect(isBrowserFormPost(request('*/*'))).toBe(false);
    expect(isBrowserFormPost(request(undefined))).toBe(false);
    expect(isBrowserFormPost(request('application/json, text/html;q=0.9'))).toBe(false);
    expect(isBrowserFormPost({ headers: { accept: BROWSER } })).toBe(false);
  });

  it('includes a browser on the thanks page, not a script reading it', () => {
    const thanks = '/api/v1/forms/665f1c2e9b1d8a0012345678/thanks?tenant=acme';
    expect(wantsErrorPage({ method: 'GET', url: thanks, headers: { accept: BROWSER } })).toBe(true);
    expect(wantsErrorPage({ method: 'GET', url: thanks, headers: { accept: 'application/json' } })).toBe(false);
    expect(wantsErrorPage({ method: 'GET', url: '/api/v1/forms', headers: { accept: BROWSER } })).toBe(false);
  });

  it('adds a query parameter, keeping the query and the fragment', () => {
    expect(withQueryParameter('https://a.example/p?x=1#top', 'error', 'rate_limited')).toBe(
      'https://a.example/p?x=1&error=rate_limited#top',
    );
  });
});

describe('the exception filter, for a browser form post', () => {
  const formId = '665f1c2e9b1d8a0012345678';

  function replyDouble() {
    const reply = {
      statusCode: 0,
      sent: undefined as unknown,
      headerValues: {} as Record<string, string>,
      header: jest.fn((name: string, value: string) => {
        reply.headerValues[name] = value;
        return reply;
      }),
      headers: jest.fn(() => reply),
      status: jest.fn((code: number) => {
        reply.statusCode = code;
        return reply;
      }),
      send: jest.fn((body?: unknown) => {
        reply.sent = body;
        return reply;
      }),
    };
    return reply;
  }

  function hostFor(reply: ReturnType<typeof replyDouble>): ArgumentsHost {
    const request = {
      method: 'POST',
      url: `/api/v1/forms/${formId}/submit?tenant=acme`,
      query: { tenant: 'acme' },
      headers: { accept: BROWSER, 'content-type': FORM, referer: 'https://shop.example/contact' },
    };
    return {
      switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }),
    } as unknown as ArgumentsHost;
  }

  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it("redirects to the form's error_url with the code, asked in the tenant the request names", async () => {
    class Targets extends BrowserFormTargets {
      errorUrlFor = jest.fn(async (_formId: string, _tenantId: string) => 'https://shop.example/oops?x=1');
    }
    const reply = replyDouble();
    const targets = new Targets();
    new AllExceptionsFilter(targets).catch(ApiError.rateLimited(30), hostFor(reply));
    await flush();
    expect(targets.errorUrlFor).toHaveBeenCalledWith(formId, 'acme');
    expect(reply.statusCode).toBe(303);
    expect(reply.headerValues.location).toBe('https://shop.example/oops?x=1&error=rate_limited');
  });

  it('still answers with the page when the error_url cannot be read (the store is down)', async () => {
    class Broken extends BrowserFormTargets {
      errorUrlFor = jest.fn(async (): Promise<string | null> => {
        throw new Error('store down');
      });
    }
    const reply = replyDouble();
    new AllExceptionsFilter(new Broken()).catch(ApiError.notFound('Form'), hostFor(reply));
    await flush();
    expect(reply.statusCode).toBe(404);
    expect(reply.headerValues['content-type']).toBe('text/html; charset=utf-8');
    expect(String(reply.sent)).toContain('(not_found)');
  });

  it('renders the page without any targets (no forms module)', async () => {
    const reply = replyDouble();
    new AllExceptionsFilter().catch(ApiError.conflict('taken'), hostFor(reply));
    await flush();
    expect(reply.statusCode).toBe(409);
    expect(String(reply.sent)).toContain('(conflict)');
  });
});

describe('the tenant a browser form post names, before resolution', () => {
  const request = (headers: Record<string, string>, query?: Record<string, string>) =>
    ({ headers, query }) as unknown as Parameters<typeof requestTenantId>[0];

  it('is X-Tenant-ID, else ?tenant=, else none', () => {
    expect(requestTenantId(request({ 'x-tenant-id': 'acme' }, { tenant: 'globex' }))).toBe('acme');
    expect(requestTenantId(request({}, { tenant: 'globex' }))).toBe('globex');
    expect(requestTenantId(request({}))).toBeUndefined();
  });
});
