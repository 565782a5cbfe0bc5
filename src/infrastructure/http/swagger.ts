import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

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
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key' }, 'admin-key')
    .addGlobalParameters({
      name: TENANT_HEADER,
      in: 'header',
      required: false,
      description: 'Tenant slug; must match the token tenant when both are sent.',
      schema: { type: 'string', example: 'acme' },
    })
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, document), {
    jsonDocumentUrl: 'docs-json',
  });
}
