import type { Model, Types } from 'mongoose';
import { toObjectIds } from './mongo-values.js';

/**
 * When each of these documents last changed (`updated_at`), by hex id; ids of other tenants and
 * missing ones are left out. What the event relay asks each module about its entities.
 */
export async function lastChanges<T extends { _id: Types.ObjectId; updated_at: Date }>(
  model: Model<T>,
  ids: string[],
): Promise<Map<string, Date>> {
  const found = await model
    .find({ _id: { $in: toObjectIds(ids) } }, { updated_at: 1 })
    .lean<{ _id: Types.ObjectId; updated_at: Date }[]>()
    .exec();
  return new Map(found.map((document) => [document._id.toHexString(), document.updated_at]));
}
