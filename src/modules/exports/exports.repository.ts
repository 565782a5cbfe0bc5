import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { FormExport } from './export.schema.js';

export type ExportRecord = FormExport;

@Injectable()
export class ExportsRepository {
  constructor(@InjectModel(FormExport.name) private readonly exports: Model<FormExport>) {}

  async create(formId: Types.ObjectId): Promise<ExportRecord> {
    return (await this.exports.create({ form_id: formId, format: 'csv' })).toObject();
  }

  findById(id: Types.ObjectId): Promise<ExportRecord | null> {
    return this.exports.findOne({ _id: id }).lean<ExportRecord>().exec();
  }

  async update(id: Types.ObjectId, changes: Partial<Omit<ExportRecord, '_id' | 'tenant_id'>>): Promise<void> {
    await this.exports.updateOne({ _id: id }, { $set: changes });
  }
}
