import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import { describeErrorExamples } from '../../src/infrastructure/http/swagger-error-examples.js';
import { describePathParameters } from '../../src/infrastructure/http/swagger-path-parameters.js';

const documentOf = (paths: object, schemas: object = {}) =>
  ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths, components: { schemas } }) as OpenAPIObject;
const pathParameters = (document: OpenAPIObject, path: string) =>
  (document.paths[path]?.get?.parameters ?? []) as { name: string; in: string; schema: object }[];

describe('finishing the OpenAPI document', () => {
  it('gives every {name} of a path a parameter: ObjectIds by default, known names their own, a described pattern kept', () => {
    const path = '/things/{thing_id}/{slug}/{code}/{count}/{tenant_id}';
    const document = describePathParameters(
      documentOf(
        {
          [path]: {
            get: {
              parameters: [
                { name: 'X-Tenant-ID', in: 'header', schema: { type: 'string' } },
                { name: 'thing_id', in: 'path', required: true, schema: { $ref: '#/components/schemas/Function' } },
                { name: 'slug', in: 'path', required: true, schema: { type: 'string' } },
                {
                  name: 'code',
                  in: 'path',
                  required: true,
                  description: 'A code',
                  schema: { type: 'string', pattern: '^[A-Z]{3}$' },
                },
                { name: 'count', in: 'path', required: true, schema: { type: 'number' } },
              ],
              responses: {},
            },
          },
        },
        { Function: { type: 'object' } },
      ),
    );
    expect(pathParameters(document, path)).toEqual([
      expect.objectContaining({
        name: 'thing_id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'string', pattern: '^[0-9a-fA-F]{24}$' }),
      }),
      expect.objectContaining({ name: 'slug', schema: { type: 'string', pattern: '^[^/]+$' } }),
      {
        name: 'code',
        in: 'path',
        required: true,
        description: 'A code',
        schema: { type: 'string', pattern: '^[A-Z]{3}$' },
      },
      expect.objectContaining({ name: 'count', schema: { type: 'integer' } }),
      expect.objectContaining({ name: 'tenant_id', schema: expect.objectContaining({ pattern: '^[a-z0-9-]{3,63}$' }) }),
      expect.objectContaining({ name: 'X-Tenant-ID', in: 'header' }),
    ]);
    expect(document.components?.schemas).toEqual({});
  });

  it('gives each error answer an example of its own status, keeping an example or an HTML-only answer as described', () => {
    const html = { 'text/html': { schema: { type: 'string' } } };
    const kept = { statusCode: 409, error: 'export_not_ready', message: 'Not yet' };
    const document = describeErrorExamples(
      documentOf({
        '/things': {
          post: {
            responses: {
              '201': { description: 'Created' },
              '400': { description: 'A page listing every problem', content: html },
              '403': { description: 'Role below owner (forbidden), or the form is full (quota_exceeded)' },
              '409': { description: 'Not completed yet', content: { 'application/json': { example: kept } } },
              '429': { description: 'Too many calls' },
              '500': {},
            },
          },
        },
      }),
    );
    const responses = document.paths['/things']?.post?.responses as Record<
      string,
      { content?: Record<string, { example?: unknown }>; headers?: object }
    >;
    expect(responses['201']).toEqual({ description: 'Created' });
    expect(responses['400']?.content).toEqual(html);
    expect(responses['403']?.content?.['application/json']?.example).toEqual({
      statusCode: 403,
      error: 'forbidden',
      message: 'Role below owner (forbidden), or the form is full (quota_exceeded)',
    });
    expect(responses['409']?.content?.['application/json']?.example).toBe(kept);
    expect(responses['429']?.content?.['application/json']?.example).toMatchObject({
      statusCode: 429,
      error: 'rate_limited',
    });
    expect(responses['429']?.headers).toHaveProperty('Retry-After');
    expect(responses['500']?.content?.['application/json']?.example).toEqual({
      statusCode: 500,
      error: 'internal_error',
      message: 'HTTP 500',
    });
  });
});
