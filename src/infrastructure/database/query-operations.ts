/**
 * Mongoose's query operations that take a filter: the ones a plugin hooks with `schema.pre(...)` to
 * see every read and write of a model (the tenant scope adds its filter, the fail-fast refusal runs
 * first). One list, so that a new operation is hooked by both or by neither.
 */
export const FILTERED_QUERIES = [
  'find',
  'findOne',
  'countDocuments',
  'distinct',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
] as const;
