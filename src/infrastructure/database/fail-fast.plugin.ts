import type { Aggregate, Connection, Document, Model, Query, Schema } from 'mongoose';
import { isKnownUnreachable, StoreUnreachableError } from './mongo-availability.js';
import { FILTERED_QUERIES } from './query-operations.js';

/** Every filtered operation, and the one that takes no filter (it still needs the store). */
const QUERIES = [...FILTERED_QUERIES, 'estimatedDocumentCount'] as const;

function refuseIfUnreachable(connection: Connection | undefined): void {
  if (isKnownUnreachable(connection)) throw new StoreUnreachableError();
}

/**
 * While the driver knows MongoDB cannot serve (mongo-availability.ts), every model operation fails at
 * once instead of waiting out server selection: a request caught by an outage between two of its
 * writes, or a batch queued behind one that is waiting, answers 503 now rather than one wait later.
 * Applied to the connection, so it reaches every model, as the tenant scope does.
 */
export function failFastPlugin(schema: Schema): void {
  schema.pre('save', function (this: Document) {
    refuseIfUnreachable((this.constructor as Model<unknown>).db);
  });
  schema.pre('insertMany', function (this: Model<unknown>) {
    refuseIfUnreachable(this.db);
  });
  schema.pre('bulkWrite', function (this: Model<unknown>) {
    refuseIfUnreachable(this.db);
  });
  schema.pre([...QUERIES], { document: false, query: true }, function (this: Query<unknown, unknown>) {
    refuseIfUnreachable(this.model.db);
  });
  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    refuseIfUnreachable(this.model().db);
  });
}
