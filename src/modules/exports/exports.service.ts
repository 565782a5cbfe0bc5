import { Readable } from 'node:stream';
import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Types } from 'mongoose';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import type { TenantJobData } from '../../infrastructure/queue/tenant-scoped.processor.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { FilesService } from '../files/files.service.js';
import { FormsService } from '../forms/forms.service.js';
import { ResponsesService } from '../responses/responses.service.js';
import { csvRow } from './csv.js';
import { type ExportRecord, ExportsRepository } from './exports.repository.js';

export interface ExportJob extends TenantJobData {
  export_id: string;
}

@Injectable()
export class ExportsService {
  constructor(
    private readonly exports: ExportsRepository,
    private readonly forms: FormsService,
    private readonly responses: ResponsesService,
    private readonly files: FilesService,
    private readonly redis: RedisAvailability,
    @InjectQueue(QueueName.export) private readonly queue: Queue<ExportJob>,
  ) {}

  /** Records the export and queues it; without Redis it is refused at once rather than left queued forever. */
  async request(formId: Types.ObjectId): Promise<ExportRecord> {
    await this.forms.get(formId);
    if (!this.redis.isAvailable()) {
      throw ApiError.unavailable('Exports are unavailable; retry shortly');
    }
    const created = await this.exports.create(formId);
    const exportId = created._id.toHexString();
    await this.queue.add(
      'csv',
      { tenant_id: TenantContext.tenantId(), export_id: exportId },
      { jobId: `export.${exportId}` },
    );
    return created;
  }

  async get(id: Types.ObjectId): Promise<ExportRecord> {
    const found = await this.exports.findById(id);
    if (!found) throw ApiError.notFound('Export');
    return found;
  }

  async download(id: Types.ObjectId): Promise<{ filename: string; content: Readable }> {
    const found = await this.get(id);
    if (found.status !== 'completed' || !found.file_id) {
      throw new ApiError(HttpStatus.CONFLICT, ErrorCode.ExportNotReady, `The export is ${found.status}`);
    }
    const { file, content } = await this.files.open(found.file_id);
    return { filename: file.filename, content };
  }

  /**
   * Streams the form's responses from a cursor into a CSV file of the tenant: one column per field
   * of the latest version, then `response_id` and `submitted_at`. Memory stays flat.
   */
  async run(id: Types.ObjectId): Promise<{ row_count: number }> {
    const found = await this.get(id);
    await this.exports.update(id, { status: 'running' });
    try {
      const keys = (await this.forms.latestFields(found.form_id)).map((field) => field.key);
      let rows = 0;
      const responses = this.responses;
      const lines = async function* () {
        yield csvRow([...keys, 'response_id', 'submitted_at']);
        for await (const response of responses.stream(found.form_id)) {
          rows += 1;
          yield csvRow([
            ...keys.map((key) => response.data[key]),
            response._id.toHexString(),
            response.created_at.toISOString(),
          ]);
        }
      };
      const file = await this.files.upload(
        {
          filename: `form-${found.form_id.toHexString()}-responses.csv`,
          content_type: 'text/csv',
          content: Readable.from(lines()),
        },
        Number.MAX_SAFE_INTEGER,
      );
      await this.exports.update(id, {
        status: 'completed',
        row_count: rows,
        file_id: file._id,
        completed_at: new Date(),
      });
      return { row_count: rows };
    } catch (error) {
      await this.exports.update(id, { status: 'failed', error: (error as Error).message.slice(0, 500) });
      throw error;
    }
  }
}
