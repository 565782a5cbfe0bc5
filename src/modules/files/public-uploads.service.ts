import { HttpStatus, Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { type ByteReservation, DailyByteAllowance } from '../../infrastructure/rate-limit/daily-byte-allowance.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { SubmissionTargetsService } from '../forms/index.js';
import type { FileRecord } from './files.repository.js';
import { FilesService, type Upload } from './files.service.js';
import { meteredUpload } from './metered-upload.js';

/** The name of anonymous uploads' byte allowance, per tenant per day (in its Redis key and logs). */
const PUBLIC_UPLOAD_BYTES = 'public-upload-bytes';

/** Anonymous visitors' uploads to a published form, from the customer's page. */
@Injectable()
export class PublicUploadsService {
  private readonly maxBytes: number;
  private readonly bytesPerDay: number;

  constructor(
    private readonly files: FilesService,
    private readonly submissionTargets: SubmissionTargetsService,
    private readonly allowance: DailyByteAllowance,
    config: AppConfigService,
  ) {
    this.maxBytes = config.files.maxBytes;
    this.bytesPerDay = config.publicUploadBytesPerTenantPerDay;
  }

  /**
   * An anonymous visitor's upload for a published form with a `file` field: usable only in
   * submissions to that form, and erased after 24 h unless a response uses it. Its bytes come out of
   * the tenant's daily allowance (`PUBLIC_UPLOAD_BYTES_PER_TENANT_PER_DAY`), taken as they arrive, a
   * step ahead (`meteredUpload`): an upload holds what it has sent and at most 64 KiB more, never
   * FILE_MAX_BYTES for as long as it stays open. What was not stored is given back. Beyond it: `413`.
   */
  async uploadToForm(formId: Types.ObjectId, upload: Upload): Promise<FileRecord> {
    const form = await this.submissionTargets.publishedForm(formId);
    if (!form.fields.some((field) => field.type === 'file')) {
      throw ApiError.validation([{ field: 'file', message: 'this form has no file field' }]);
    }
    const reservation = this.allowance.open(PUBLIC_UPLOAD_BYTES, TenantContext.tenantId(), this.bytesPerDay);
    // The request cannot carry more than its Content-Length: no step reaches past it.
    const ceiling = Math.min(this.maxBytes, upload.at_most_bytes ?? this.maxBytes);
    const content = meteredUpload(upload.content, reservation, { ceiling, maxBytes: this.maxBytes }, () =>
      allowanceUsedUp(reservation),
    );
    let stored = 0;
    try {
      const file = await this.files.upload({ ...upload, content }, this.maxBytes, formId);
      stored = file.size;
      return file;
    } finally {
      await reservation.settle(stored);
    }
  }
}

function allowanceUsedUp(reservation: ByteReservation): ApiError {
  const error = new ApiError(
    HttpStatus.PAYLOAD_TOO_LARGE,
    ErrorCode.PayloadTooLarge,
    "Today's allowance for anonymous uploads to this tenant is used up; try again tomorrow",
  );
  error.headers['retry-after'] = String(reservation.secondsUntilReset);
  return error;
}
