import type { FastifyRequest } from 'fastify';

/**
 * Which origins may embed a form: the allowed origins of the tenant that owns it (the tenants module
 * provides it). A browser's preflight names no tenant (it carries header names, not values), so the
 * form id in the URL is what identifies it.
 */
export abstract class PublicFormOrigins {
  /** The owning tenant's `allowed_origins`; empty when there is no such form. */
  abstract originsFor(formId: string): Promise<string[]>;
}

/** The endpoints an anonymous visitor reaches from a customer's page. */
const PUBLIC_FORM_ENDPOINT = /^\/api\/v1\/forms\/([0-9a-f]{24})\/(?:public|submit|files)(?:\?|$)/i;

const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'x-captcha-token',
  'x-request-id',
  'x-tenant-id',
];
const EXPOSED_HEADERS = ['retry-after', 'x-request-id'];
const PREFLIGHT_CACHE_SECONDS = 600;

export interface CorsDecision {
  origin: boolean | string | string[];
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  maxAge: number;
}

/**
 * `@fastify/cors` options per request: a form's public endpoints answer the origins its tenant allows
 * (`"*"`: any), plus `CORS_ORIGINS`; every other endpoint answers `CORS_ORIGINS` only. Requests without
 * an `Origin` (servers, curl) get no CORS headers and cost no lookup.
 */
export function corsDelegator(publicOrigins: PublicFormOrigins, corsOrigins: string[]) {
  const shared = { allowedHeaders: ALLOWED_HEADERS, exposedHeaders: EXPOSED_HEADERS, maxAge: PREFLIGHT_CACHE_SECONDS };
  const everywhere: CorsDecision = {
    ...shared,
    origin: corsOrigins.length ? corsOrigins : false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  };
  return async (request: FastifyRequest): Promise<CorsDecision> => {
    const formId = request.headers.origin ? PUBLIC_FORM_ENDPOINT.exec(request.url)?.[1] : undefined;
    if (!formId) return everywhere;
    const tenantOrigins = await publicOrigins.originsFor(formId.toLowerCase());
    const origin = tenantOrigins.includes('*') ? '*' : [...tenantOrigins, ...corsOrigins];
    return { ...shared, origin: origin.length ? origin : false, methods: ['GET', 'POST'] };
  };
}
