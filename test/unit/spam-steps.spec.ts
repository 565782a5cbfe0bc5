import { describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { ApiError } from '../../src/infrastructure/http/api-error.js';
import { ErrorCode } from '../../src/infrastructure/http/error-codes.js';
import { ResponseErasureService } from '../../src/modules/erasure/response-erasure.service.js';
import type { AuditLogService } from '../../src/modules/events/audit-log.service.js';
import type { Emission, EventDispatcherService } from '../../src/modules/events/event-dispatcher.service.js';
import type { EventType } from '../../src/modules/events/event.types.js';
import type { ExportsService } from '../../src/modules/exports/exports.service.js';
import type { ResponseFilesService } from '../../src/modules/files/response-files.service.js';
import type { SubmissionTargetsService } from '../../src/modules/forms/submission-targets.service.js';
import type { ResponsesRepository } from '../../src/modules/responses/responses.repository.js';
import type { ResponsesService } from '../../src/modules/responses/responses.service.js';
import { SpamService } from '../../src/modules/responses/spam.service.js';

const config = { erasure: { batchSize: 10 } } as unknown as AppConfigService;

describe('spam retention', () => {
  it('erases only the spam it marked: one marked not spam since it was picked stays, and no export is looked at', async () => {
    const formId = new Types.ObjectId();
    const stillSpam = { _id: new Types.ObjectId(), form_id: formId, created_at: new Date(), spam: true };
    const rescued = { _id: new Types.ObjectId(), form_id: formId, created_at: new Date(), spam: false };
    const calls: string[] = [];
    const removed: unknown[] = [];
    let batches = 0;
    const service = new ResponseErasureService(
      {
        idsOfSpamCreatedBefore: async () => (batches++ === 0 ? [stillSpam._id, rescued._id] : []),
        markManyDeleted: async (_ids: Types.ObjectId[], spamOnly: boolean) => calls.push(`mark spamOnly=${spamOnly}`),
        erasureViews: async () => [
          { ...stillSpam, deleted_at: new Date() },
          { ...rescued, deleted_at: null },
        ],
        namesFile: async () => false,
        removeErased: async (found: unknown[]) => {
          removed.push(...found);
          return found.length;
        },
      } as unknown as ResponsesService,
      { redactEntities: async (ids: string[]) => calls.push(`redact ${ids.join()}`) } as unknown as AuditLogService,
      {
        eraseFilesThatMayHold: async () => {
          calls.push('exports');
          return { erased: 0, running: false };
        },
      } as unknown as ExportsService,
      { eraseUnlessNamed: async () => 0 } as unknown as ResponseFilesService,
      [],
      config,
    );

    expect(await service.eraseSpamCreatedBefore(new Date())).toBe(1);
    expect(calls).toEqual(['mark spamOnly=true', `redact ${stillSpam._id.toHexString()}`]);
    expect(removed).toEqual([expect.objectContaining({ _id: stillSpam._id })]);
  });
});

describe('marking spam not spam', () => {
  it('answers 404 and gives the slot back when the response was deleted between its read and its write', async () => {
    const id = new Types.ObjectId();
    const slots: string[] = [];
    const spam = { _id: id, form_id: new Types.ObjectId(), form_version: 1, data: {}, spam: true };
    const service = new SpamService(
      {
        exclusively: <T>(_id: Types.ObjectId, work: () => Promise<T>) => work(),
        get: async () => spam,
      } as unknown as ResponsesService,
      { markNotSpam: async () => null } as unknown as ResponsesRepository,
      {
        takeResponseSlot: async () => void slots.push('take'),
        releaseResponseSlot: async () => void slots.push('release'),
      } as unknown as SubmissionTargetsService,
      {
        emitWith: async <Type extends EventType, Result>(emission: Emission<Type, Result>) => {
          await emission.alongside?.();
          return emission.write();
        },
      } as unknown as EventDispatcherService,
    );

    const failure = await service.markNotSpam(id).catch((error: unknown) => error);
    expect(ApiError.is(failure, ErrorCode.NotFound)).toBe(true);
    expect(slots).toEqual(['take', 'release']);
  });
});
