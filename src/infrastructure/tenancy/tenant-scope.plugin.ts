import type { Aggregate, Document, Query, Schema } from 'mongoose';
import { FILTERED_QUERIES } from '../database/query-operations.js';
import { TenantContext } from './tenant-context.js';

export const TENANT_FIELD = 'tenant_id';

/** A tenant-scoped operation that would cross or rewrite the tenant boundary: a bug, refused loudly. */
export class TenantScopeViolationError extends Error {}

const SCOPED_QUERIES = FILTERED_QUERIES;

const REPLACING_QUERIES = new Set(['findOneAndReplace', 'replaceOne']);

/**
 * Stages that read or write another collection, where the tenant `$match` does not reach: refused,
 * at the top of a pipeline and inside the sub-pipelines of `$facet` alike.
 */
const CROSS_COLLECTION_STAGES = ['$lookup', '$graphLookup', '$unionWith', '$out', '$merge'];

/** Stages MongoDB requires first in a pipeline; the tenant `$match` goes right after them. */
const MUST_BE_FIRST_STAGES = ['$geoNear', '$search', '$searchMeta', '$vectorSearch'];

/** Null when the caller deliberately runs across tenants (`TenantContext.runAsSystem`). */
function currentTenant(): string | null {
  return TenantContext.isSystemScope() ? null : TenantContext.tenantId();
}

function assertSameTenant(value: unknown, tenantId: string, what: string): void {
  if (value !== undefined && value !== tenantId) {
    throw new TenantScopeViolationError(`${what} names another tenant`);
  }
}

/**
 * Refuses updates that set, unset or rename `tenant_id`, in every form Mongo accepts. A pipeline-style
 * update (an array of stages) is refused whole: its stages can drop the field in too many ways
 * (`$unset: 'tenant_id'`, a `$project` or `$replaceWith` that leaves it out, an expression that
 * computes it), and the local store cannot run one anyway, so no code of this product uses them.
 */
export function assertUpdateKeepsTenant(update: unknown, tenantId: string): void {
  if (!update || typeof update !== 'object') return;
  if (Array.isArray(update)) {
    throw new TenantScopeViolationError('A pipeline-style update is not allowed on a tenant-scoped collection');
  }
  for (const [key, value] of Object.entries(update as Record<string, unknown>)) {
    if (key === TENANT_FIELD) {
      assertSameTenant(value, tenantId, 'An update');
      continue;
    }
    if (key.startsWith('$') && value && typeof value === 'object') {
      const fields = value as Record<string, unknown>;
      if (key === '$rename' && Object.values(fields).includes(TENANT_FIELD)) {
        throw new TenantScopeViolationError('An update may not rename a field to tenant_id');
      }
      if (TENANT_FIELD in fields) {
        if (key === '$set' || key === '$setOnInsert' || key === '$addFields') {
          assertSameTenant(fields[TENANT_FIELD], tenantId, 'An update');
        } else {
          throw new TenantScopeViolationError(`An update may not ${key} tenant_id`);
        }
      }
    }
  }
}

/** Adds the tenant to a filter; a filter with its own tenant_id condition keeps it and must match both. */
function scopeFilter(filter: Record<string, unknown> | undefined, tenantId: string): Record<string, unknown> {
  if (filter && TENANT_FIELD in filter && filter[TENANT_FIELD] !== tenantId) {
    return { $and: [filter, { [TENANT_FIELD]: tenantId }] };
  }
  return { ...(filter ?? {}), [TENANT_FIELD]: tenantId };
}

/** Throws at the first stage that reaches another collection, looking inside `$facet` sub-pipelines too. */
function assertStaysInCollection(pipeline: Record<string, unknown>[]): void {
  for (const stage of pipeline) {
    const [operator] = Object.keys(stage);
    if (CROSS_COLLECTION_STAGES.includes(operator)) {
      throw new TenantScopeViolationError(`${operator} is not allowed on a tenant-scoped collection`);
    }
    if (operator === '$facet') {
      for (const facet of Object.values(stage.$facet as Record<string, unknown>)) {
        assertStaysInCollection(Array.isArray(facet) ? (facet as Record<string, unknown>[]) : []);
      }
    }
  }
}

/** `$facet` sub-pipelines read what the stages before them pass on: the tenant `$match` covers them. */
function scopePipeline(pipeline: Record<string, unknown>[], tenantId: string): void {
  assertStaysInCollection(pipeline);
  const insertAt = pipeline.findIndex((stage) => !MUST_BE_FIRST_STAGES.includes(Object.keys(stage)[0]));
  pipeline.splice(insertAt === -1 ? pipeline.length : insertAt, 0, { $match: { [TENANT_FIELD]: tenantId } });
}

function stamp(document: Record<string, unknown>, tenantId: string): void {
  assertSameTenant(document[TENANT_FIELD], tenantId, 'A new document');
  document[TENANT_FIELD] = tenantId;
}

function scopeDocument(document: Document<unknown>): void {
  const tenantId = currentTenant();
  if (tenantId === null) return;
  if (document.isNew) {
    assertSameTenant(document.get(TENANT_FIELD), tenantId, 'A new document');
    document.set(TENANT_FIELD, tenantId);
  } else if (document.isModified(TENANT_FIELD) || document.get(TENANT_FIELD) !== tenantId) {
    throw new TenantScopeViolationError('A saved document may not change or belong to another tenant');
  }
}

type BulkOperation = Record<string, Record<string, unknown> | undefined>;

function scopeBulkOperation(operation: BulkOperation, tenantId: string): void {
  const [kind] = Object.keys(operation);
  const body = operation[kind] as Record<string, unknown>;
  if (kind === 'insertOne') {
    stamp(body.document as Record<string, unknown>, tenantId);
    return;
  }
  body.filter = scopeFilter(body.filter as Record<string, unknown>, tenantId);
  if (kind === 'replaceOne') stamp(body.replacement as Record<string, unknown>, tenantId);
  if (kind === 'updateOne' || kind === 'updateMany') assertUpdateKeepsTenant(body.update, tenantId);
}

/**
 * Scopes every query and write of a schema with a `tenant_id` path to the current tenant. Registered
 * on the connection, so it reaches every model; a schema opts out only with `{ tenantScoped: false }`
 * (the `tenants` collection itself). The tenant is read in pre hooks only, from the CLS context.
 */
export function tenantScopePlugin(schema: Schema): void {
  if (!schema.path(TENANT_FIELD) || schema.get('tenantScoped' as never) === false) return;
  schema.set('tenantScoped' as never, true as never);

  // On validate too: validation runs before save and would reject a new document lacking tenant_id.
  schema.pre('validate', function () {
    scopeDocument(this);
  });
  schema.pre('save', function () {
    scopeDocument(this);
  });

  schema.pre('insertMany', function (docs: unknown) {
    const tenantId = currentTenant();
    if (tenantId === null) return;
    for (const document of Array.isArray(docs) ? docs : [docs]) stamp(document as Record<string, unknown>, tenantId);
  });

  schema.pre('bulkWrite', function (operations) {
    const tenantId = currentTenant();
    if (tenantId === null) return;
    for (const operation of operations) scopeBulkOperation(operation as unknown as BulkOperation, tenantId);
  });

  schema.pre([...SCOPED_QUERIES], { document: false, query: true }, function (this: Query<unknown, unknown>) {
    const tenantId = currentTenant();
    if (tenantId === null) return;
    this.setQuery(scopeFilter(this.getFilter(), tenantId));
    const operation = (this as unknown as { op?: string }).op ?? '';
    if (REPLACING_QUERIES.has(operation)) {
      stamp(this.getUpdate() as Record<string, unknown>, tenantId);
    } else {
      assertUpdateKeepsTenant(this.getUpdate(), tenantId);
    }
  });

  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    const tenantId = currentTenant();
    if (tenantId !== null) scopePipeline(this.pipeline() as unknown as Record<string, unknown>[], tenantId);
  });

  schema.pre('estimatedDocumentCount', function () {
    if (currentTenant() !== null) {
      throw new TenantScopeViolationError('estimatedDocumentCount counts every tenant; use countDocuments');
    }
  });
}
