import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { V1BackupsService } from '../../infrastructure/migrations/v1-backups.service.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { ErasedResponse } from '../responses/index.js';
import type { ErasureTarget } from './erasure-targets.js';

/**
 * The collections migration 001 keeps until `migrate finalize 1` (`*_backup_<stamp>`,
 * `*_rolledback_<stamp>`) hold v1 responses and members' legacy password hashes: an erased response,
 * a removed member and a deleted tenant go from them too. Files are left to `finalize`: a v1 file
 * record may still back a live file another response names.
 */
@Injectable()
export class V1BackupsErasureTarget implements ErasureTarget {
  readonly name = 'v1-backups';

  constructor(private readonly backups: V1BackupsService) {}

  eraseResponses(responses: ErasedResponse[]): Promise<number> {
    const ids = responses.map((response) => response._id);
    return this.backups.eraseDocuments(TenantContext.tenantId(), 'form_responses', ids);
  }

  eraseMember(userId: string): Promise<number> {
    return this.backups.eraseDocuments(TenantContext.tenantId(), 'users', [new Types.ObjectId(userId)]);
  }

  eraseTenant(tenantId: string): Promise<number> {
    return this.backups.eraseTenant(tenantId);
  }
}
