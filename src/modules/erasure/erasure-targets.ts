import type { Provider } from '@nestjs/common';
import type { ErasedResponse } from '../responses/index.js';
import { V1BackupsErasureTarget } from './v1-backups.target.js';

/**
 * A place that keeps copies of erasable data beyond the ones the erasure steps know (the audit log,
 * export files, uploads, queued jobs, every collection for a tenant): the v1 backups migration 001
 * keeps (`*_backup_<stamp>`, `*_rolledback_<stamp>`) are the first. Every method is optional, must be
 * safe to run again after a crash, and answers how many copies it erased (for the job's log line).
 */
export interface ErasureTarget {
  /** Named in log lines. */
  readonly name: string;
  /**
   * Responses being erased, in their tenant's context (`TenantContext.tenantId()`), before their
   * documents go: a batch of a deletion, a deleted form's erasure or retention.
   */
  eraseResponses?(responses: ErasedResponse[]): Promise<number>;
  /** A removed member (their document is gone already), in their tenant's context. */
  eraseMember?(userId: string): Promise<number>;
  /** A deleted tenant, outside any tenant context, before its documents are swept and its record goes. */
  eraseTenant?(tenantId: string): Promise<number>;
}

/** The injection token of the list of extra erasure targets. */
export const ERASURE_TARGETS = Symbol('ERASURE_TARGETS');

/**
 * The extension point: to make every response, member and tenant erasure reach another place,
 * provide a class implementing `ErasureTarget` (raw collection access stays in `src/infrastructure/`)
 * and add it to `inject` here (and its module to `ErasureModule`'s imports).
 */
export const erasureTargetsProvider: Provider = {
  provide: ERASURE_TARGETS,
  useFactory: (...targets: ErasureTarget[]): ErasureTarget[] => targets,
  inject: [V1BackupsErasureTarget],
};
