import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { StoredFile } from './file.schema.js';

export type FileRecord = StoredFile;

@Injectable()
export class FilesRepository {
  constructor(@InjectModel(StoredFile.name) private readonly files: Model<StoredFile>) {}

  async create(file: Omit<FileRecord, 'tenant_id' | 'created_at'>): Promise<FileRecord> {
    return (await this.files.create(file)).toObject();
  }

  findById(id: Types.ObjectId): Promise<FileRecord | null> {
    return this.files.findOne({ _id: id }).lean<FileRecord>();
  }

  /** The files among `ids` (deduplicated by the store), with the form each is bound to. */
  findMany(ids: Types.ObjectId[]): Promise<Pick<FileRecord, '_id' | 'form_id'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.files.find({ _id: { $in: ids } }, { form_id: 1 }).lean<Pick<FileRecord, '_id' | 'form_id'>[]>();
  }

  async idsUploadedTo(formId: Types.ObjectId, limit: number): Promise<Types.ObjectId[]> {
    const rows = await this.files.find({ form_id: formId }, { _id: 1 }).limit(limit).lean<{ _id: Types.ObjectId }[]>();
    return rows.map((row) => row._id);
  }

  async ids(limit: number): Promise<Types.ObjectId[]> {
    const rows = await this.files.find({}, { _id: 1 }).limit(limit).lean<{ _id: Types.ObjectId }[]>();
    return rows.map((row) => row._id);
  }

  /**
   * Which of `ids` a response to `formId` may use: anonymous uploads to that form, and with
   * `memberUploads` also the uploads bound to no form (members' own, through `POST /files`).
   */
  async usableIn(formId: Types.ObjectId, ids: Types.ObjectId[], memberUploads: boolean): Promise<Set<string>> {
    const found = await this.files
      .find({ _id: { $in: ids }, form_id: memberUploads ? { $in: [null, formId] } : formId }, { _id: 1 })
      .lean<{ _id: Types.ObjectId }[]>();
    return new Set(found.map((file) => file._id.toHexString()));
  }

  /** Marks anonymous uploads to `formId` as used, so the sweep of unused uploads leaves them alone. */
  async markUsed(formId: Types.ObjectId, ids: Types.ObjectId[]): Promise<void> {
    await this.files.updateMany(
      { _id: { $in: ids }, form_id: formId, used_at: null },
      { $set: { used_at: new Date() } },
    );
  }

  /** System scope: anonymous uploads no response used, created before `cutoff`, oldest first. */
  unusedUploads(cutoff: Date, limit: number): Promise<Pick<FileRecord, '_id' | 'tenant_id' | 'storage_key'>[]> {
    return this.files
      .find({ form_id: { $ne: null }, used_at: null, created_at: { $lt: cutoff } }, { tenant_id: 1, storage_key: 1 })
      .sort({ created_at: 1 })
      .limit(limit)
      .lean<Pick<FileRecord, '_id' | 'tenant_id' | 'storage_key'>[]>();
  }

  /** Deletes the record unless a response has used the file meanwhile. */
  async deleteIfUnused(id: Types.ObjectId): Promise<boolean> {
    return (await this.files.deleteOne({ _id: id, used_at: null })).deletedCount === 1;
  }

  async delete(id: Types.ObjectId): Promise<FileRecord | null> {
    return this.files.findOneAndDelete({ _id: id }).lean<FileRecord>();
  }
}
