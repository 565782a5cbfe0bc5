import type { IncomingHttpHeaders } from 'node:http';
import { ClsServiceManager } from 'nestjs-cls';

/**
 * Two ids per request. The server's own (a UUID, Fastify's `request.id`, the CLS id) names it in
 * every log line, the audit log's `metadata.request_id` and the `X-Request-ID` answer header: a caller
 * cannot choose it, so no one can make their request look like another's in the audit trail. A
 * caller's own `X-Request-ID`, when sane, is kept beside it (`client_request_id` in the audit log,
 * `clientReqId` in logs) so a customer's trace id still leads to our lines.
 */
const CLIENT_REQUEST_ID = 'clientRequestId';
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's `X-Request-ID`, or undefined when absent or not a short token. */
export function clientRequestIdOf(headers: IncomingHttpHeaders): string | undefined {
  const given = headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : undefined;
}

/** Called once per request by the CLS middleware. */
export function rememberClientRequestId(headers: IncomingHttpHeaders): void {
  const given = clientRequestIdOf(headers);
  if (given) ClsServiceManager.getClsService().set(CLIENT_REQUEST_ID, given);
}

/** The current request's ids, or undefined outside a request. */
export function currentRequestIds(): { request_id: string; client_request_id?: string } | undefined {
  const cls = ClsServiceManager.getClsService();
  if (!cls.isActive()) return undefined;
  const requestId = cls.getId();
  if (!requestId) return undefined;
  const clientRequestId = cls.get<string | undefined>(CLIENT_REQUEST_ID);
  return clientRequestId ? { request_id: requestId, client_request_id: clientRequestId } : { request_id: requestId };
}
