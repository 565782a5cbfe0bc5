import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { describeErrorExamples } from './swagger-error-examples.js';
import { describePathParameters } from './swagger-path-parameters.js';

export const TENANT_HEADER = 'X-Tenant-ID';

/** Swagger UI at `/docs`, the OpenAPI document at `/docs-json`. */
export function setUpSwagger(app: INestApplication): void {
  const document = new DocumentBuilder()
    .setTitle('form-backend API')
    .setDescription(
      'Multi-tenant form backend. The tenant comes from the bearer token when one is sent, ' +
        `otherwise from the ${TENANT_HEADER} header, otherwise the default tenant.`,
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT or API key',
      description:
        "A member's access token (JWT, from login) or a tenant API key (`fbk_…`, from POST /api-keys). " +
        'A key acts in its tenant with its role; routes about the calling user and key management need a JWT.',
    })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key' }, 'admin-key')
    .addGlobalParameters({
      name: TENANT_HEADER,
      in: 'header',
      required: false,
      description: 'Tenant slug (e.g. acme); must match the token tenant when both are sent.',
      // No example: Swagger UI's "Try it out" would send it, and every token of another tenant
      // would answer 403 tenant_mismatch.
      schema: { type: 'string', pattern: '^[a-z0-9-]{3,63}$' },
    })
    .build();
  // The document as Nest reads it, then finished once for every route (those added later too).
  const finished = () =>
    describeErrorExamples(describeCommonAnswers(describePathParameters(SwaggerModule.createDocument(app, document))));
  SwaggerModule.setup('docs', app, finished, { jsonDocumentUrl: 'docs-json' });
}

const ERROR_BODY = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', description: 'Stable machine code', example: 'validation_failed' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

type Operation = { requestBody?: unknown; responses?: Record<string, unknown> };

/**
 * The answers a route can give whatever its handler does (bad input, tenant resolution, a store
 * down...), added to every operation that does not describe them itself: the document then names
 * every status a route can answer, each with the one error body.
 */
function describeCommonAnswers(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ErrorBody: ERROR_BODY } };
  for (const [path, item] of Object.entries(document.paths)) {
    const admin = path.startsWith('/api/v1/admin');
    const tenantScoped = path.startsWith('/api/v1/') && !admin;
    for (const operation of Object.values(item as Record<string, Operation>)) {
      if (!operation?.responses) continue;
      const answers: Record<string, string> = {
        '400': 'The request is invalid (validation_failed, invalid_json, bad_request)',
        '503': 'A store is unavailable (service_unavailable) or the API is in maintenance (maintenance)',
      };
      if (path.includes('{')) answers['414'] = 'A path parameter is too long';
      if (operation.requestBody) {
        answers['413'] = 'The body is over the limit (payload_too_large)';
        answers['415'] = 'The body is not of a supported type (unsupported_media_type)';
      }
      if (admin) {
        answers['401'] = 'The admin key is missing or wrong (unauthorized)';
        answers['429'] = 'Too many wrong or missing admin keys from this client IP (rate_limited, with Retry-After)';
      }
      if (tenantScoped) {
        answers['400'] += '; no tenant named where one is needed (tenant_required)';
        answers['401'] = 'The bearer token is not valid (unauthorized)';
        answers['403'] =
          'The token names another tenant (tenant_mismatch), or the tenant is suspended (tenant_suspended)';
        answers['404'] = 'The tenant does not exist (tenant_not_found)';
      }
      for (const [status, description] of Object.entries(answers)) {
        operation.responses[status] ??= {
          description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        };
      }
    }
  }
  return document;
}
