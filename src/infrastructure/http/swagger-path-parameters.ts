import type { OpenAPIObject } from '@nestjs/swagger';

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Operation = { parameters?: Parameter[] };

/** The contract: "Ids are strings (Mongo ObjectIds as hex, tenant ids are slugs)". */
const OBJECT_ID: Schema = { type: 'string', pattern: '^[0-9a-fA-F]{24}$', example: '665f1c2e8b3a4d0012a3b4c5' };
const OBJECT_ID_HELP = 'An id (24 hex characters); a malformed one answers 404 as a missing one does';

/** The path parameters that are not ObjectIds, by name. */
const NAMED: Record<string, { schema: Schema; description: string }> = {
  // The same rule as the tenant schema's TENANT_ID_PATTERN (the api test compares them).
  tenant_id: { schema: { type: 'string', pattern: '^[a-z0-9-]{3,63}$', example: 'acme' }, description: 'Tenant slug' },
  event_id: {
    schema: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      example: '0b9e4f3c-6d1a-4c2e-9f7b-2a5d8c1e3f40',
    },
    description: 'The event id (a UUID) of the delivery',
  },
  job_id: { schema: { type: 'string', pattern: '^[0-9]+$', example: '42' }, description: 'The job id' },
  version: { schema: { type: 'integer', minimum: 1, example: 1 }, description: 'A version number (1, 2, ...)' },
};

/**
 * Every `{name}` of every path, as a parameter Swagger UI can fill in. Why here, once: a handler's
 * id comes through `ObjectIdPipe` typed `Types.ObjectId`, which the metadata reader documents as an
 * object (`$ref: Function`, a JSON text area in "Try it out") or, compiled without that type, not at
 * all. So each path's own template decides which parameters exist, and a parameter keeps what a
 * route described itself (an `@ApiParam` with a pattern); otherwise its name (tenant slug, event
 * UUID...) or, by the contract, an ObjectId. Routes added later need nothing special.
 */
export function describePathParameters(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
    for (const operation of Object.values(item as Record<string, Operation>)) {
      const others = (operation.parameters ?? []).filter((parameter) => parameter.in !== 'path');
      const documented = new Map(
        (operation.parameters ?? []).filter((p) => p.in === 'path').map((parameter) => [parameter.name, parameter]),
      );
      operation.parameters = [...names.map((name) => pathParameter(name, documented.get(name))), ...others];
    }
  }
  // Nothing refers to it any more; an explorer should never see an id described as a function.
  delete document.components?.schemas?.Function;
  return document;
}

function pathParameter(name: string, documented: Parameter | undefined): Parameter {
  const { schema, description } = schemaOf(name, documented?.schema);
  return { name, in: 'path', required: true, description: documented?.description || description, schema };
}

function schemaOf(name: string, schema: Schema | undefined): { schema: Schema; description: string } {
  if (schema && typeof schema.pattern === 'string') return { schema, description: '' };
  const named = NAMED[name];
  if (named) return named;
  if (schema?.type === 'number' || schema?.type === 'integer') return { schema: { type: 'integer' }, description: '' };
  // A plain string nobody described: one path segment, whatever it holds.
  if (schema?.type === 'string') return { schema: { type: 'string', pattern: '^[^/]+$' }, description: '' };
  return { schema: OBJECT_ID, description: OBJECT_ID_HELP };
}
