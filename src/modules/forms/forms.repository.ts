import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { afterCursor, NEWEST_FIRST, type Page, toPage } from '../../infrastructure/database/cursor-page.js';
import type { FormField } from './form-field.js';
import { Form, type FormStatus, FormVersion, type PublishedSnapshot } from './form.schema.js';

export type FormRecord = Form;
export type FormVersionRecord = FormVersion;

export interface NewForm {
  title: string;
  slug: string;
  description: string;
  fields: FormField[];
  settings?: object;
  owner_id: string;
}

export type FormChanges = Partial<Pick<Form, 'title' | 'slug' | 'description'>> & {
  fields?: FormField[];
  settings?: object;
};

@Injectable()
export class FormsRepository {
  constructor(
    @InjectModel(Form.name) private readonly forms: Model<Form>,
    @InjectModel(FormVersion.name) private readonly versions: Model<FormVersion>,
  ) {}

  async create(form: NewForm): Promise<FormRecord> {
    return (await this.forms.create(form)).toObject();
  }

  findById(id: Types.ObjectId): Promise<FormRecord | null> {
    return this.forms.findOne({ _id: id }).lean<FormRecord>();
  }

  async slugTaken(slug: string, exceptId?: Types.ObjectId): Promise<boolean> {
    const filter = exceptId ? { slug, _id: { $ne: exceptId } } : { slug };
    return (await this.forms.exists(filter)) !== null;
  }

  countNotArchived(): Promise<number> {
    return this.forms.countDocuments({ status: { $ne: 'archived' } });
  }

  async list(query: { status?: FormStatus; cursor?: string; limit: number }): Promise<Page<FormRecord>> {
    const filter = { ...(query.status ? { status: query.status } : {}), ...afterCursor(query.cursor) };
    const rows = await this.forms
      .find(filter)
      .sort(NEWEST_FIRST)
      .limit(query.limit + 1)
      .lean<FormRecord[]>();
    return toPage(rows, query.limit);
  }

  /** Applies the changes unless the form is archived; every change bumps `revision`. */
  update(id: Types.ObjectId, changes: FormChanges): Promise<FormRecord | null> {
    const $set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (key === 'settings') {
        for (const [setting, settingValue] of Object.entries(value as object)) {
          if (settingValue !== undefined) $set[`settings.${setting}`] = settingValue;
        }
      } else {
        $set[key] = value;
      }
    }
    return this.forms
      .findOneAndUpdate(
        { _id: id, status: { $ne: 'archived' } },
        { $set, $inc: { revision: 1 } },
        { returnDocument: 'after', runValidators: true },
      )
      .lean<FormRecord>();
  }

  /** Publishes `snapshot` only if the form is still at `revision` (nothing changed since it was read). */
  publish(id: Types.ObjectId, revision: number, snapshot: PublishedSnapshot): Promise<FormRecord | null> {
    return this.forms
      .findOneAndUpdate(
        { _id: id, revision, status: { $ne: 'archived' } },
        { $set: { status: 'published', version: snapshot.version, published: snapshot }, $inc: { revision: 1 } },
        { returnDocument: 'after' },
      )
      .lean<FormRecord>();
  }

  archive(id: Types.ObjectId): Promise<FormRecord | null> {
    return this.forms
      .findOneAndUpdate(
        { _id: id, status: { $ne: 'archived' } },
        { $set: { status: 'archived' }, $inc: { revision: 1 } },
        { returnDocument: 'after' },
      )
      .lean<FormRecord>();
  }

  /**
   * Takes one response slot of a published form below `limit`, atomically, and returns the form.
   * Null when the form is missing, not published, or full: the caller reads it again to tell which.
   */
  reserveResponseSlot(id: Types.ObjectId, limit: number): Promise<FormRecord | null> {
    return this.forms
      .findOneAndUpdate(
        { _id: id, status: 'published', response_count: { $lt: limit } },
        { $inc: { response_count: 1 } },
        { returnDocument: 'after', timestamps: false },
      )
      .lean<FormRecord>();
  }

  async releaseResponseSlot(id: Types.ObjectId): Promise<void> {
    await this.forms.updateOne({ _id: id }, { $inc: { response_count: -1 } }, { timestamps: false });
  }

  /** Idempotent: a snapshot is written once and never changed afterwards. */
  async saveVersion(formId: Types.ObjectId, snapshot: PublishedSnapshot): Promise<void> {
    await this.versions.updateOne(
      { form_id: formId, version: snapshot.version },
      { $setOnInsert: { ...snapshot, form_id: formId } },
      { upsert: true },
    );
  }

  listVersions(formId: Types.ObjectId): Promise<FormVersionRecord[]> {
    return this.versions.find({ form_id: formId }).sort({ version: -1 }).lean<FormVersionRecord[]>();
  }

  findVersion(formId: Types.ObjectId, version: number): Promise<FormVersionRecord | null> {
    return this.versions.findOne({ form_id: formId, version }).lean<FormVersionRecord>();
  }
}
