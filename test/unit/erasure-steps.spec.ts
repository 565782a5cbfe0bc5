import { describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import type { ErasureTarget } from '../../src/modules/erasure/erasure-targets.js';
import { ErasureService, NotDeletedError } from '../../src/modules/erasure/erasure.service.js';
import { ExportRunningError, ResponseErasureService } from '../../src/modules/erasure/response-erasure.service.js';
import type { AuditLogService } from '../../src/modules/events/audit-log.service.js';
import type { ExportsService } from '../../src/modules/exports/exports.service.js';
import type { FileErasureService } from '../../src/modules/files/file-erasure.service.js';
import type { ResponseFilesService } from '../../src/modules/files/response-files.service.js';
import type { ResponsesService } from '../../src/modules/responses/responses.service.js';
import type { UsersService } from '../../src/modules/users/users.service.js';

const config = { erasure: { batchSize: 10 }, queue: { jobTimeoutMs: 1_000 } } as unknown as AppConfigService;

/** The erasure's steps, in the order they ran, against services that only record being called. */
function pipeline(options: { exportRunning?: boolean } = {}) {
  const steps: string[] = [];
  const formId = new Types.ObjectId();
  const response = { _id: new Types.ObjectId(), form_id: formId, created_at: new Date(), file_ids: [] };
  const step =
    <T>(name: string, answer: T) =>
    async () => {
      steps.push(name);
      return answer;
    };
  const target: ErasureTarget = { name: 'backups', eraseResponses: step('target', 1) };
  const service = new ResponseErasureService(
    {
      erasureViews: step('find', [response]),
      markManyDeleted: step('mark', undefined),
      namesFile: step('names', false),
      removeErased: step('remove', 1),
    } as unknown as ResponsesService,
    { redactEntities: step('audit log', 1) } as unknown as AuditLogService,
    {
      eraseFilesThatMayHold: step('exports', { erased: 0, running: options.exportRunning ?? false }),
    } as unknown as ExportsService,
    { eraseUnlessNamed: step('files', 0) } as unknown as ResponseFilesService,
    [target, { name: 'no response copies' }],
    config,
  );
  return { service, steps, id: response._id };
}

describe('response erasure steps', () => {
  it('marks, redacts, erases export files, files and every extra target, then removes the document', async () => {
    const { service, steps, id } = pipeline();
    expect(await service.eraseOne(id)).toBe(true);
    expect(steps).toEqual(['mark', 'find', 'audit log', 'exports', 'files', 'target', 'remove']);
  });

  it('stops before the document goes while an export that may hold it is being written', async () => {
    const { service, steps, id } = pipeline({ exportRunning: true });
    await expect(service.eraseOne(id)).rejects.toBeInstanceOf(ExportRunningError);
    expect(steps).toEqual(['mark', 'find', 'audit log', 'exports']);
  });
});

describe("a removed member's erasure", () => {
  const erasure = (stillMember: boolean) =>
    new ErasureService(
      {} as ResponseErasureService,
      {} as ResponsesService,
      {} as never,
      {} as FileErasureService,
      {} as ExportsService,
      { exists: async () => stillMember } as unknown as UsersService,
      { redactMember: async () => 2 } as unknown as AuditLogService,
      [{ name: 'backups', eraseMember: async () => 1 }, { name: 'no member copies' }],
      config,
    );

  it('redacts the audit log and calls every extra target', async () => {
    expect(await erasure(false).eraseMember('64b000000000000000000001')).toMatchObject({ redacted: 3 });
  });

  it('refuses a user who is still a member', async () => {
    await expect(erasure(true).eraseMember('64b000000000000000000001')).rejects.toBeInstanceOf(NotDeletedError);
  });
});
