import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { afterCursor, NEWEST_FIRST, type Page, toPage } from '../../infrastructure/database/cursor-page.js';
import { GroupCommit } from '../../infrastructure/database/group-commit.js';
import { KeyedMutex } from '../../infrastructure/database/keyed-mutex.js';
import {
  deletionStates,
  lastChanges,
  type LifecycleState,
  lifecycleState,
} from '../../infrastructure/database/last-changes.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { FormField } from './form-field.types.js';
import { Form, FormCounter, type FormStatus, FormVersion, type PublishedSnapshot } from './form.schema.js';

export type FormRecord = Form;
export type FormVersionRecord = FormVersion;

export interface NewForm {
  _id: Types.ObjectId;
  title: string;
  slug: string;
  description: string;
  fields: FormField[];
  settings?: object;
  owner_id: string;
}

interface CounterChange {
  kind: 'reserve' | 'release';
  limit: number;
}

/** Forms not deleted: the only ones any read outside erasure may see. */
const LIVE = { deleted_at: null };

const counterKey = (formId: Types.ObjectId) => `${TenantContext.tenantId()}:${formId.toHexString()}`;

export type FormChanges = Partial<Pick<Form, 'title' | 'slug' | 'description'>> & {
  fields?: FormField[];
  settings?: object;
};

@Injectable()
export class FormsRepository {
  /** Writes to one form document are serialized: see `KeyedMutex` for why. */
  private readonly writes = new KeyedMutex();
  /** Changes to one form's response counter are batched and serialized (the submission hot path). */
  private readonly counterChanges = new GroupCommit<CounterChange, boolean>((key, changes) => {
    const [tenantId, formId] = key.split(':');
    return TenantContext.runForTenant(tenantId, () => this.applyCounterChanges(new Types.ObjectId(formId), changes));
  });

  constructor(
    @InjectModel(Form.name) private readonly forms: Model<Form>,
    @InjectModel(FormVersion.name) private readonly versions: Model<FormVersion>,
    @InjectModel(FormCounter.name) private readonly counters: Model<FormCounter>,
  ) {}

  async create(form: NewForm): Promise<FormRecord> {
    return (await this.forms.create(form)).toObject();
  }

  /** The tenant that owns a form (system scope only: the caller does not know the tenant yet). */
  async tenantOf(id: Types.ObjectId): Promise<string | null> {
    const form = await this.forms.findOne({ _id: id, ...LIVE }, { tenant_id: 1 }).lean<{ tenant_id: string }>();
    return form?.tenant_id ?? null;
  }

  /** A form's `error_url` (system scope only, like `tenantOf`): null when none is set or no such form. */
  /** A live form's tenant and `error_url` (null when it has none), or null for no such form. */
  async errorUrlOf(id: Types.ObjectId): Promise<{ tenant_id: string; error_url: string | null } | null> {
    const form = await this.forms
      .findOne({ _id: id, ...LIVE }, { tenant_id: 1, 'settings.error_url': 1 })
      .lean<Pick<Form, 'tenant_id' | 'settings'>>();
    return form ? { tenant_id: form.tenant_id, error_url: form.settings?.error_url ?? null } : null;
  }

  findById(id: Types.ObjectId): Promise<FormRecord | null> {
    return this.forms.findOne({ _id: id, ...LIVE }).lean<FormRecord>();
  }

  /** When each of these forms last changed (forms of other tenants and missing ones are left out). */
  changedAt(ids: string[]): Promise<Map<string, Date>> {
    return lastChanges(this.forms, ids);
  }

  lifecycleState(id: Types.ObjectId): Promise<LifecycleState> {
    return lifecycleState(this.forms, id);
  }

  /** Whether and when each of these forms was deleted (erased ones are left out). */
  deletedAt(ids: string[]): Promise<Map<string, Date | null>> {
    return deletionStates(this.forms, ids);
  }

  /**
   * Marks it deleted (404 from now on) and frees its slug for a new form; null when there is no such
   * live form.
   */
  markDeleted(id: Types.ObjectId): Promise<FormRecord | null> {
    return this.writes.run(id.toHexString(), () =>
      this.forms
        .findOneAndUpdate(
          { _id: id, ...LIVE },
          { $set: { deleted_at: new Date(), slug: `~deleted~${id.toHexString()}` }, $inc: { revision: 1 } },
          { returnDocument: 'after' },
        )
        .lean<FormRecord>()
        .exec(),
    );
  }

  /** Up to `limit` ids of deleted forms whose erasure has not finished (a lost job). */
  async idsDeletedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    const rows = await this.forms
      .find({ deleted_at: { $lt: cutoff } }, { _id: 1 })
      .limit(limit)
      .lean<{ _id: Types.ObjectId }[]>();
    return rows.map((row) => row._id);
  }

  /** The last step of a deleted form's erasure: its versions, its response counter, then the form itself. */
  async removeDeleted(id: Types.ObjectId): Promise<boolean> {
    await this.versions.deleteMany({ form_id: id });
    await this.counters.deleteOne({ _id: id });
    return (await this.forms.deleteOne({ _id: id, deleted_at: { $ne: null } })).deletedCount === 1;
  }

  async slugTaken(slug: string, exceptId?: Types.ObjectId): Promise<boolean> {
    const filter = exceptId ? { slug, _id: { $ne: exceptId } } : { slug };
    return (await this.forms.exists(filter)) !== null;
  }

  /** Forms the tenant keeps, whatever their status (what `max_forms` counts); deleted ones are gone. */
  countKept(): Promise<number> {
    return this.forms.countDocuments(LIVE);
  }

  async list(query: { status?: FormStatus; cursor?: string; limit: number }): Promise<Page<FormRecord>> {
    const filter = { ...LIVE, ...(query.status ? { status: query.status } : {}), ...afterCursor(query.cursor) };
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
          { _id: id, status: { $ne: 'archived' }, ...LIVE },
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
          { _id: id, revision, status: { $ne: 'archived' }, ...LIVE },
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
          { _id: id, status: { $ne: 'archived' }, ...LIVE },
          { $set: { status: 'archived' }, $inc: { revision: 1 } },
          { returnDocument: 'after' },
        )
        .lean<FormRecord>()
        .exec(),
    );
  }

  /** Takes one of the form's response slots if fewer than `limit` are taken; false when full. */
  reserveResponseSlot(formId: Types.ObjectId, limit: number): Promise<boolean> {
    return this.counterChanges.submit(counterKey(formId), { kind: 'reserve', limit });
  }

  async releaseResponseSlot(formId: Types.ObjectId): Promise<void> {
    await this.counterChanges.submit(counterKey(formId), { kind: 'release', limit: 0 });
  }

  /** Applies a batch of reservations and releases of one form's counter in at most a few writes. */
  private async applyCounterChanges(formId: Types.ObjectId, changes: CounterChange[]): Promise<boolean[]> {
    const releases = changes.filter((change) => change.kind === 'release').length;
    if (releases > 0) await this.counters.updateOne({ _id: formId }, { $inc: { responses: -releases } });
    const reservations = changes.filter((change) => change.kind === 'reserve');
    let granted = await this.takeSlots(formId, reservations.length, Math.min(...reservations.map((r) => r.limit)));
    return changes.map((change) => change.kind === 'release' || granted-- > 0);
  }

  /** Takes `wanted` slots below `limit` in one conditional write, or as many as are left. */
  private async takeSlots(formId: Types.ObjectId, wanted: number, limit: number): Promise<number> {
    const take = (count: number) =>
      this.counters
        .findOneAndUpdate({ _id: formId, responses: { $lte: limit - count } }, { $inc: { responses: count } })
        .lean()
        .exec();
    if (wanted === 0) return 0;
    if (await take(wanted)) return wanted;
    const counter = await this.counters.findOne({ _id: formId }).lean();
    const available = Math.min(wanted, limit - (counter?.responses ?? limit));
    return available > 0 && (await take(available)) ? available : 0;
  }

  /** Idempotent: a snapshot is written once and never changed afterwards. */
  async saveVersion(formId: Types.ObjectId, snapshot: PublishedSnapshot): Promise<void> {
    await this.versions.updateOne(
      { form_id: formId, version: snapshot.version },
      { $setOnInsert: { ...snapshot, form_id: formId } },
      { upsert: true },
    );
  }

  /** Newest first; the cursor is the last version number a page showed. */
  async listVersions(
    formId: Types.ObjectId,
    page: { limit: number; cursor?: string },
  ): Promise<Page<FormVersionRecord>> {
    const before = page.cursor === undefined ? {} : { version: { $lt: versionOfCursor(page.cursor) } };
    const rows = await this.versions
      .find({ form_id: formId, ...before })
      .sort({ version: -1 })
      .limit(page.limit + 1)
      .lean<FormVersionRecord[]>();
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const next_cursor = rows.length > page.limit && last ? Buffer.from(`v${last.version}`).toString('base64url') : null;
    return { items, next_cursor };
  }

  findVersion(formId: Types.ObjectId, version: number): Promise<FormVersionRecord | null> {
    return this.versions.findOne({ form_id: formId, version }).lean<FormVersionRecord>();
  }
}

function versionOfCursor(cursor: string): number {
  const match = /^v(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw ApiError.validation([{ field: 'cursor', message: 'cursor is not one this API returned' }]);
  return Number(match[1]);
}
