import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { afterCursor, NEWEST_FIRST, type Page, toPage } from '../../infrastructure/database/cursor-page.js';
import { FormResponse } from './response.schema.js';

export type ResponseRecord = FormResponse;

export interface ResponseQuery {
  formId: Types.ObjectId;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

@Injectable()
export class ResponsesRepository {
  constructor(@InjectModel(FormResponse.name) private readonly responses: Model<FormResponse>) {}

  /** Rejects with a duplicate-key error (11000) when `dedup_key` was used for this form already. */
  async insert(response: Omit<ResponseRecord, 'tenant_id' | 'created_at' | 'updated_at'>): Promise<void> {
    await this.responses.create(response);
  }

  findByDedupKey(formId: Types.ObjectId, dedupKey: string): Promise<ResponseRecord | null> {
    return this.responses.findOne({ form_id: formId, dedup_key: dedupKey }).lean<ResponseRecord>();
  }

  /** Frees an expired idempotency key for reuse; the response itself stays. */
  async retireDedupKey(response: ResponseRecord): Promise<void> {
    await this.responses.updateOne(
      { _id: response._id, dedup_key: response.dedup_key },
      { $set: { dedup_key: `id:${response._id.toHexString()}` } },
      { timestamps: false },
    );
  }

  findById(id: Types.ObjectId): Promise<ResponseRecord | null> {
    return this.responses.findOne({ _id: id }).lean<ResponseRecord>();
  }

  async list(query: ResponseQuery): Promise<Page<ResponseRecord>> {
    const createdAt: Record<string, Date> = {};
    if (query.from) createdAt.$gte = query.from;
    if (query.to) createdAt.$lte = query.to;
    const filter = {
      form_id: query.formId,
      ...(query.from || query.to ? { created_at: createdAt } : {}),
      ...afterCursor(query.cursor),
    };
    const rows = await this.responses
      .find(filter)
      .sort(NEWEST_FIRST)
      .limit(query.limit + 1)
      .lean<ResponseRecord[]>();
    return toPage(rows, query.limit);
  }

  updateData(id: Types.ObjectId, data: Record<string, unknown>): Promise<ResponseRecord | null> {
    return this.responses
      .findOneAndUpdate({ _id: id }, { $set: { data } }, { returnDocument: 'after' })
      .lean<ResponseRecord>();
  }
}
