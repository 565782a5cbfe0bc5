import type { FastifyReply } from 'fastify';
import type { ErrorBody } from './api-error.js';

/**
 * The built-in pages a browser sees after a form post: plain HTML, nothing it shows unescaped, and a
 * policy that lets no script run (nor any other content load) even if something slipped through.
 */
export const PAGE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style>',
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The page after an accepted submission: "Thank you" and the form's title. */
export function thanksPage(formTitle: string): string {
  return page(
    'Thank you',
    `<h1>Thank you</h1>\n<p>Your answers to <strong>${escapeHtml(formTitle)}</strong> were received.</p>`,
  );
}

/** A link back is only ever to a web page: never a `javascript:` or `data:` URL. */
function webUrl(candidate: string | undefined): string | null {
  if (!candidate) return null;
  try {
    const url = new URL(candidate);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The page after a refused submission: what went wrong, every problem (field and message), and a
 * link back to the page the visitor came from (`Referer`, else its `Origin`).
 */
export function errorPage(error: ErrorBody, cameFrom: { referer?: string; origin?: string }): string {
  const problems = (error.details ?? [])
    .map((detail) => `<li><strong>${escapeHtml(detail.field)}</strong>: ${escapeHtml(detail.message)}</li>`)
    .join('\n');
  const back = webUrl(cameFrom.referer) ?? webUrl(cameFrom.origin);
  return page(
    'Your answers were not sent',
    [
      '<h1>Your answers were not sent</h1>',
      `<p>${escapeHtml(error.message)} <small>(${escapeHtml(error.error)})</small></p>`,
      problems ? `<ul>\n${problems}\n</ul>` : '',
      back
        ? `<p><a href="${escapeHtml(back)}">Back to the form</a></p>`
        : "<p>Use your browser's Back button to return to the form.</p>",
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

/** Sends a built-in page with its status and the policy that forbids scripts. */
export function sendPage(reply: FastifyReply, statusCode: number, html: string): FastifyReply {
  return reply
    .status(statusCode)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY)
    .header('cache-control', 'no-store')
    .send(html);
}

/** The `303 See Other` a browser follows with a GET after its form post. */
export function sendSeeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.status(303).header('location', location).header('cache-control', 'no-store').send();
}
