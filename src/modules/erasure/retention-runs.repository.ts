import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { RetentionRun } from './retention-run.schema.js';

export type RetentionRunRecord = Omit<RetentionRun, '_id' | 'tenant_id'>;

@Injectable()
export class RetentionRunsRepository {
  constructor(@InjectModel(RetentionRun.name) private readonly runs: Model<RetentionRun>) {}

  async record(run: RetentionRunRecord): Promise<void> {
    await this.runs.create(run);
  }

  /** The tenant's runs, newest first. */
  latest(limit: number): Promise<RetentionRun[]> {
    return this.runs.find().sort({ started_at: -1 }).limit(limit).lean<RetentionRun[]>().exec();
  }
}
