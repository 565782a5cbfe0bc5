import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { afterCursor, NEWEST_FIRST, type Page, toPage } from '../../infrastructure/database/cursor-page.js';
import type { FormField } from './form-field.js';
import { KeyedMutex } from '../../infrastructure/database/keyed-mutex.js';
import { Form, FormCounter, type FormStatus, FormVersion, type PublishedSnapshot } from './form.schema.js';

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
  /** Writes to one form or counter document are serialized: see `KeyedMutex` for why. */
  private readonly writes = new KeyedMutex();

  constructor(
    @InjectModel(Form.name) private readonly forms: Model<Form>,
    @InjectModel(FormVersion.name) private readonly versions: Model<FormVersion>,
    @InjectModel(FormCounter.name) private readonly counters: Model<FormCounter>,
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
    return this.writes.run(id.toHexString(), () =>
      this.forms
        .findOneAndUpdate(
          { _id: id, status: { $ne: 'archived' } },
          { $set, $inc: { revision: 1 } },
          { returnDocument: 'after', runValidators: true },
        )
        .lean<FormRecord>()
        .exec(),
    );
  }

  /**
   * Publishes `snapshot` only if the form is still at `revision` (nothing changed since it was read).
   * The response counter exists from the first publish on, so taking a slot is a single write.
   */
  async publish(id: Types.ObjectId, revision: number, snapshot: PublishedSnapshot): Promise<FormRecord | null> {
    await this.counters.updateOne({ _id: id }, { $setOnInsert: { responses: 0 } }, { upsert: true });
    return this.writes.run(id.toHexString(), () =>
      this.forms
        .findOneAndUpdate(
          { _id: id, revision, status: { $ne: 'archived' } },
          { $set: { status: 'published', version: snapshot.version, published: snapshot }, $inc: { revision: 1 } },
          { returnDocument: 'after' },
        )
        .lean<FormRecord>()
        .exec(),
    );
  }

  archive(id: Types.ObjectId): Promise<FormRecord | null> {
    return this.writes.run(id.toHexString(), () =>
      this.forms
        .findOneAndUpdate(
          { _id: id, status: { $ne: 'archived' } },
          { $set: { status: 'archived' }, $inc: { revision: 1 } },
          { returnDocument: 'after' },
        )
        .lean<FormRecord>()
        .exec(),
    );
  }

  /** Takes one of the form's response slots if fewer than `limit` are taken; false when full. */
  async reserveResponseSlot(formId: Types.ObjectId, limit: number): Promise<boolean> {
    const reserved = await this.writes.run(`counter:${formId.toHexString()}`, () =>
      this.counters
        .findOneAndUpdate(
          { _id: formId, responses: { $lt: limit } },
          { $inc: { responses: 1 } },
          { returnDocument: 'after' },
        )
        .lean()
        .exec(),
    );
    return reserved !== null;
  }

  async releaseResponseSlot(formId: Types.ObjectId): Promise<void> {
    await this.writes.run(`counter:${formId.toHexString()}`, () =>
      this.counters.updateOne({ _id: formId, responses: { $gt: 0 } }, { $inc: { responses: -1 } }).exec(),
    );
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
