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

/**
 * For each of these documents that still exists, by hex id: when it was deleted (`deleted_at`: it
 * waits for its erasure) or null. Ids of other tenants and erased ones are left out.
 */
export async function deletionStates<T extends { _id: Types.ObjectId; deleted_at?: Date | null }>(
  model: Model<T>,
  ids: string[],
): Promise<Map<string, Date | null>> {
  const found = await model
    .find({ _id: { $in: toObjectIds(ids) } }, { deleted_at: 1 })
    .lean<{ _id: Types.ObjectId; deleted_at?: Date | null }[]>()
    .exec();
  return new Map(found.map((document) => [document._id.toHexString(), document.deleted_at ?? null]));
}

/** Live, deleted and waiting for its erasure, or gone (erased, another tenant's, or never there). */
export type LifecycleState = 'live' | 'deleted' | 'gone';

export async function lifecycleState<T extends { _id: Types.ObjectId; deleted_at?: Date | null }>(
  model: Model<T>,
  id: Types.ObjectId,
): Promise<LifecycleState> {
  const states = await deletionStates(model, [id.toHexString()]);
  if (!states.has(id.toHexString())) return 'gone';
  return states.get(id.toHexString()) ? 'deleted' : 'live';
}
