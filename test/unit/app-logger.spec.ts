import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { CLS_ID, type ClsService, ClsServiceManager } from 'nestjs-cls';
import { pino } from 'pino';
import { rememberClientRequestId } from '../../src/infrastructure/cls/request-ids.js';
import { AppLogger } from '../../src/infrastructure/logging/app-logger.js';

function capture(level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: new AppLogger(pino({ level }, stream)) };
}

describe('AppLogger', () => {
  it('writes Nest log calls as JSON with their context', () => {
    const { lines, logger } = capture();
    logger.log('started', 'Bootstrap');
    logger.warn({ msg: 'slow', ms: 12 }, 'Queue');
    logger.error('failed', 'stack trace here', 'Worker');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'started', context: 'Bootstrap' }),
      expect.objectContaining({ level: 40, msg: 'slow', ms: 12, context: 'Queue' }),
      expect.objectContaining({ level: 50, msg: 'failed', stack: 'stack trace here', context: 'Worker' }),
    ]);
  });

  it('adds the request id when called inside a request context', async () => {
    const { lines, logger } = capture();
    const cls: ClsService = ClsServiceManager.getClsService();
    await cls.run(async () => {
      cls.set(CLS_ID, 'req-42');
      logger.debug('inside');
    });
    logger.verbose('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', reqId: 'req-42' });
    expect(lines[0]).not.toHaveProperty('clientReqId');
    expect(lines[1]).not.toHaveProperty('reqId');
  });

  it("adds the caller's own X-Request-ID beside the server's, and only a sane one", async () => {
    const { lines, logger } = capture();
    const cls: ClsService = ClsServiceManager.getClsService();
    for (const given of ['trace-7', 'not a token\r\nforged: yes']) {
      await cls.run(async () => {
        cls.set(CLS_ID, 'req-43');
        rememberClientRequestId({ 'x-request-id': given });
        logger.log('inside');
      });
    }
    expect(lines[0]).toMatchObject({ reqId: 'req-43', clientReqId: 'trace-7' });
    expect(lines[1]).toMatchObject({ reqId: 'req-43' });
    expect(lines[1]).not.toHaveProperty('clientReqId');
  });

  it('serializes errors and skips disabled levels', () => {
    const { lines, logger } = capture('warn');
    logger.log('dropped');
    logger.fatal(new Error('boom'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60, msg: 'boom', err: expect.objectContaining({ message: 'boom' }) });
  });
});
