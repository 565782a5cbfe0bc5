import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { StoredFile } from './file.schema.js';

export type FileRecord = StoredFile;

/** What deciding whether a response may name (or still needs) a file looks at. */
export type NamedFile = Pick<FileRecord, '_id' | 'form_id' | 'purpose'>;

@Injectable()
export class FilesRepository {
  constructor(@InjectModel(StoredFile.name) private readonly files: Model<StoredFile>) {}

  async create(file: Omit<FileRecord, 'tenant_id' | 'created_at'>): Promise<FileRecord> {
    return (await this.files.create(file)).toObject();
  }

  findById(id: Types.ObjectId): Promise<FileRecord | null> {
    return this.files.findOne({ _id: id }).lean<FileRecord>();
  }

  /** The files among `ids` (deduplicated by the store), with the form each is bound to and what it is for. */
  findMany(ids: Types.ObjectId[]): Promise<NamedFile[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.files.find({ _id: { $in: ids } }, { form_id: 1, purpose: 1 }).lean<NamedFile[]>();
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
   * Those of `ids` a response to `formId` may use: anonymous uploads to that form, and with
   * `memberUploads` also the uploads bound to no form (members' own, through `POST /files`); never a
   * file kept for something else (an export's). With the form each is bound to.
   */
  usableIn(formId: Types.ObjectId, ids: Types.ObjectId[], memberUploads: boolean): Promise<NamedFile[]> {
    return this.files
      .find(
        { _id: { $in: ids }, form_id: memberUploads ? { $in: [null, formId] } : formId, purpose: { $ne: 'export' } },
        { form_id: 1, purpose: 1 },
      )
      .lean<NamedFile[]>();
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
