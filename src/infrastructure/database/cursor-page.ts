import { Types } from 'mongoose';
import { ApiError } from '../http/api-error.js';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

interface Positioned {
  _id: Types.ObjectId;
  created_at: Date;
}

/**
 * Newest-first keyset pagination on `(created_at, _id)`: stable under concurrent inserts, and each
 * page is one index range scan however deep the client pages.
 */
export const NEWEST_FIRST = { created_at: -1, _id: -1 } as const;

export function afterCursor(cursor: string | undefined): Record<string, unknown> {
  if (cursor === undefined) return {};
  const { createdAt, id } = decodeCursor(cursor);
  return { $or: [{ created_at: { $lt: createdAt } }, { created_at: createdAt, _id: { $lt: id } }] };
}

/** `rows` holds up to `limit + 1` documents: the extra one only tells that another page exists. */
export function toPage<T extends Positioned>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next_cursor =
    rows.length > limit && last
      ? Buffer.from(`${last.created_at.getTime()}:${last._id.toHexString()}`).toString('base64url')
      : null;
  return { items, next_cursor };
}

function decodeCursor(cursor: string): { createdAt: Date; id: Types.ObjectId } {
  const match = /^(\d{1,15}):([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw ApiError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
  return { createdAt: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
}
