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

  async existingIds(ids: Types.ObjectId[]): Promise<Set<string>> {
    const found = await this.files.find({ _id: { $in: ids } }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
    return new Set(found.map((file) => file._id.toHexString()));
  }
}
