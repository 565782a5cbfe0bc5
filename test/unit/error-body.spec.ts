import { describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import { ApiError } from '../../src/infrastructure/http/api-error.js';
import { toErrorBody } from '../../src/infrastructure/http/error-body.js';

const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(code), { code, statusCode });

describe('toErrorBody', () => {
  it('keeps the code, message and details of an ApiError', () => {
    const error = ApiError.validation([{ field: 'data.email', message: 'must be an email' }]);
    expect(toErrorBody(error)).toEqual({
      statusCode: 400,
      error: 'validation_failed',
      message: 'Request validation failed',
      details: [{ field: 'data.email', message: 'must be an email' }],
    });
  });

  it('gives Nest built-in exceptions a code derived from their status', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /x'))).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: 'Cannot GET /x',
    });
    expect(toErrorBody(new HttpException('slow down', HttpStatus.TOO_MANY_REQUESTS))).toMatchObject({
      error: 'rate_limited',
      message: 'slow down',
    });
    expect(toErrorBody(new BadRequestException(['a is bad', 'b is bad']))).toMatchObject({
      error: 'bad_request',
      message: 'a is bad; b is bad',
    });
  });

  it('maps Fastify body errors, whether raw or wrapped by Nest', () => {
    const invalidJson = fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400);
    expect(toErrorBody(invalidJson)).toMatchObject({ statusCode: 400, error: 'invalid_json' });
    const wrapped = new HttpException('too large', 413, { cause: fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413) });
    expect(toErrorBody(wrapped)).toMatchObject({ statusCode: 413, error: 'payload_too_large' });
    expect(toErrorBody(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415))).toMatchObject({
      statusCode: 415,
      error: 'unsupported_media_type',
    });
  });

  it('treats a JSON SyntaxError with status 400 as invalid_json', () => {
    expect(toErrorBody(Object.assign(new SyntaxError('Unexpected end'), { statusCode: 400 }))).toMatchObject({
      error: 'invalid_json',
    });
  });

  it('keeps other client errors as client errors', () => {
    expect(toErrorBody(fastifyError('FST_SOMETHING_NEW', 400))).toEqual({
      statusCode: 400,
      error: 'bad_request',
      message: 'FST_SOMETHING_NEW',
    });
  });

  it('answers 503 when the database cannot be reached, whatever the driver called it', () => {
    for (const name of ['MongoServerSelectionError', 'MongoNetworkError', 'MongoPoolClearedError']) {
      const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name });
      expect(toErrorBody(unreachable)).toEqual({
        statusCode: 503,
        error: 'service_unavailable',
        message: 'The database is unavailable; try again shortly',
      });
    }
  });

  it('answers 503 when the database is reachable but could not do the work in time, never a 500', () => {
    const serverError = (code: number, message: string) =>
      Object.assign(new Error(message), { name: 'MongoServerError', code });
    const busy = [
      // FerretDB on SQLite: a write that waited out SQLite's 10-s lock under load (seen in bench/submission-budget.js).
      serverError(1, '[collection.go:177 sqlite.(*collection).UpdateAll.func1] database is locked (5) (SQLITE_BUSY)'),
      serverError(50, 'operation exceeded time limit'),
      serverError(262, 'operation exceeded time limit'),
      Object.assign(new Error('Timed out while checking out a connection from connection pool'), {
        name: 'MongoWaitQueueTimeoutError',
      }),
    ];
    for (const error of busy) {
      expect(toErrorBody(error)).toEqual({
        statusCode: 503,
        error: 'service_unavailable',
        message: 'The database is busy; try again shortly',
      });
    }
    // Any other internal error of the store stays a 500: a bug to look at, not load to wait out.
    expect(toErrorBody(serverError(1, 'something else went wrong'))).toMatchObject({ statusCode: 500 });
  });

  it('hides the cause of anything else behind a 500', () => {
    expect(toErrorBody(new Error('secret database detail'))).toEqual({
      statusCode: 500,
      error: 'internal_error',
      message: 'Internal server error',
    });
    expect(toErrorBody(undefined)).toMatchObject({ statusCode: 500 });
  });
});
