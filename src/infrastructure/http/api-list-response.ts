import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';

/** A 200 answer of the contract's unpaged list shape, `{ "data": [item] }`. */
export function ApiOkListResponse(item: Type<unknown>, description?: string): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['data'],
        properties: { data: { type: 'array', items: { $ref: getSchemaPath(item) } } },
      },
    }),
  );
}
