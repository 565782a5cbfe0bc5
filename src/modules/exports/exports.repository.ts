import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { type ExportStatus, FormExport } from './export.schema.js';

export type ExportRecord = FormExport;

const IN_PROGRESS: ExportStatus[] = ['queued', 'running'];

@Injectable()
export class ExportsRepository {
  constructor(@InjectModel(FormExport.name) private readonly exports: Model<FormExport>) {}

  async create(formId: Types.ObjectId, request: Pick<ExportRecord, 'format' | 'from' | 'to'>): Promise<ExportRecord> {
    return (await this.exports.create({ form_id: formId, ...request })).toObject();
  }

  /** The form's exports that are queued or running (one, unless written before the one-at-a-time rule). */
  inProgressOf(formId: Types.ObjectId): Promise<Pick<ExportRecord, '_id' | 'status'>[]> {
    return this.exports
      .find({ form_id: formId, status: { $in: IN_PROGRESS } }, { status: 1 })
      .limit(10)
      .lean<Pick<ExportRecord, '_id' | 'status'>[]>()
      .exec();
  }

  findById(id: Types.ObjectId): Promise<ExportRecord | null> {
    return this.exports.findOne({ _id: id }).lean<ExportRecord>().exec();
  }

  /** System scope: completed exports past their time, whose file is still stored. */
  expiredWithFile(
    completedBefore: Date,
    limit: number,
  ): Promise<Pick<ExportRecord, '_id' | 'tenant_id' | 'file_id'>[]> {
    return this.exports
      .find(
        { status: 'completed', completed_at: { $lt: completedBefore }, file_id: { $ne: null } },
        { tenant_id: 1, file_id: 1 },
      )
      .limit(limit)
      .lean<Pick<ExportRecord, '_id' | 'tenant_id' | 'file_id'>[]>()
      .exec();
  }

  /** Up to `limit` of a form's exports, with their files (a deleted form's erasure). */
  ofForm(formId: Types.ObjectId, limit: number): Promise<Pick<ExportRecord, '_id' | 'file_id'>[]> {
    return this.exports
      .find({ form_id: formId }, { file_id: 1 })
      .limit(limit)
      .lean<Pick<ExportRecord, '_id' | 'file_id'>[]>()
      .exec();
  }

  /**
   * Up to `limit` of a form's completed exports whose file is still stored, whose run started before
   * `startedBefore` and ended at or after `completedSince`: the exports that may hold a response
   * created at `completedSince` and deleted at `startedBefore`. One recorded before runs had a start
   * counts as started before.
   */
  completedWithFileBetween(
    formId: Types.ObjectId,
    { completedSince, startedBefore }: { completedSince: Date; startedBefore: Date },
    limit: number,
  ): Promise<Pick<ExportRecord, '_id' | 'file_id'>[]> {
    return this.exports
      .find(
        {
          form_id: formId,
          status: 'completed',
          file_id: { $ne: null },
          completed_at: { $gte: completedSince },
          $or: [{ started_at: { $lt: startedBefore } }, { started_at: null }],
        },
        { file_id: 1 },
      )
      .limit(limit)
      .lean<Pick<ExportRecord, '_id' | 'file_id'>[]>()
      .exec();
  }

  /**
   * Whether a run of the form's exports is under way that started before `startedBefore` and at or
   * after `startedSince`. A run set running before runs had a start counts from when it was set so.
   */
  async runningStartedBetween(
    formId: Types.ObjectId,
    { startedSince, startedBefore }: { startedSince: Date; startedBefore: Date },
  ): Promise<boolean> {
    const found = await this.exports.exists({
      form_id: formId,
      status: 'running',
      $or: [
        { started_at: { $gte: startedSince, $lt: startedBefore } },
        { started_at: null, updated_at: { $gte: startedSince } },
      ],
    });
    return found !== null;
  }

  /** Those of `ids` that are an export's file. */
  async fileIdsAmong(ids: Types.ObjectId[]): Promise<Types.ObjectId[]> {
    const found = await this.exports
      .find({ file_id: { $in: ids } }, { file_id: 1 })
      .lean<Pick<ExportRecord, '_id' | 'file_id'>[]>()
      .exec();
    return found.flatMap((row) => (row.file_id ? [row.file_id] : []));
  }

  async remove(id: Types.ObjectId): Promise<void> {
    await this.exports.deleteOne({ _id: id });
  }

  async markExpired(id: Types.ObjectId): Promise<void> {
    await this.exports.updateOne({ _id: id }, { $set: { expired_at: new Date() }, $unset: { file_id: 1 } });
  }

  /**
   * Records the export's file, unless another run of it recorded one first (a run that outlived its
   * job's time limit): false then, and the caller erases its own file.
   */
  async complete(
    id: Types.ObjectId,
    changes: Pick<ExportRecord, 'row_count' | 'file_id' | 'started_at' | 'completed_at'>,
  ): Promise<boolean> {
    const result = await this.exports.updateOne(
      { _id: id, status: { $in: IN_PROGRESS } },
      { $set: { ...changes, status: 'completed' }, $unset: { error: 1 } },
    );
    return result.matchedCount > 0;
  }

  /** Changes the export only while the run that started at `startedAt` is its latest. */
  async updateRun(
    id: Types.ObjectId,
    startedAt: Date,
    changes: Partial<Omit<ExportRecord, '_id' | 'tenant_id'>>,
  ): Promise<void> {
    await this.exports.updateOne({ _id: id, started_at: startedAt }, { $set: changes });
  }

  async update(id: Types.ObjectId, changes: Partial<Omit<ExportRecord, '_id' | 'tenant_id'>>): Promise<void> {
    await this.exports.updateOne({ _id: id }, { $set: changes });
  }
}
