import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';

/**
 * The store lock of one file (hex id) of the current tenant. Everything that names a file, or erases
 * one because nothing names it, takes it around its check and its write: a request storing what
 * names it (`ResponseFilesService.whileNamed`), a response's erasure (`eraseUnlessNamed`) and the
 * sweep of unused uploads (`FileErasureService.eraseUnusedUploads`). A file is then never erased
 * between a request's check and its write.
 */
export function fileLockKey(fileId: string): string {
  return `files:${TenantContext.tenantId()}:${fileId}`;
}
