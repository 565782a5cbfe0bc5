import { Types } from 'mongoose';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** The well-formed ids among `ids` as ObjectIds; malformed ones name nothing and are dropped. */
export function toObjectIds(ids: string[]): Types.ObjectId[] {
  return ids.filter((id) => OBJECT_ID.test(id)).map((id) => new Types.ObjectId(id));
}
