import { Injectable, PipeTransform } from '@nestjs/common';
import { Types } from 'mongoose';
import { isObjectIdHex } from '../database/mongo-values.js';
import { ApiError } from './api-error.js';

/** A malformed id names no document, so it answers exactly as a missing one does: 404. */
@Injectable()
export class ObjectIdPipe implements PipeTransform<string, Types.ObjectId> {
  constructor(private readonly what = 'Resource') {}

  transform(value: string): Types.ObjectId {
    if (!isObjectIdHex(value)) throw ApiError.notFound(this.what);
    return new Types.ObjectId(value);
  }
}
