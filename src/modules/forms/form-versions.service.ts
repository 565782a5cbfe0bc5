import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import type { FormField } from './form-field.types.js';
import { FormsRepository, type FormVersionRecord } from './forms.repository.js';
import { FormsService } from './forms.service.js';

/**
 * What was published: a form's version history, and the fields a response was checked against
 * (responses and exports read them). Each answers 404 as `FormsService.get` does for a form the
 * tenant does not have.
 */
@Injectable()
export class FormVersionsService {
  constructor(
    private readonly forms: FormsService,
    private readonly repository: FormsRepository,
  ) {}

  async list(id: Types.ObjectId, page: { limit: number; cursor?: string }): Promise<Page<FormVersionRecord>> {
    await this.forms.get(id);
    return this.repository.listVersions(id, page);
  }

  async get(id: Types.ObjectId, version: number): Promise<FormVersionRecord> {
    await this.forms.get(id);
    const found = await this.repository.findVersion(id, version);
    if (!found) throw ApiError.notFound('Form version');
    return found;
  }

  /** The fields of the latest published version (the working copy's before the first publish). */
  async latestFields(id: Types.ObjectId): Promise<FormField[]> {
    const form = await this.forms.get(id);
    return form.published?.fields ?? form.fields;
  }

  /** The fields a response of `version` was validated against. */
  async fieldsOfVersion(id: Types.ObjectId, version: number): Promise<FormField[]> {
    const snapshot = await this.repository.findVersion(id, version);
    if (snapshot) return snapshot.fields;
    const form = await this.forms.get(id);
    if (form.published?.version === version) return form.published.fields;
    throw ApiError.notFound('Form version');
  }
}
