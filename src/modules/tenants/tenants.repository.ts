import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../../infrastructure/database/mongo-values.js';
import type { ResolvedTenant, TenantSettings, TenantStatus } from '../../infrastructure/tenancy/tenant-context.js';
import { DeletedTenantId } from './deleted-tenant-id.schema.js';
import { Tenant } from './tenant.schema.js';

export type TenantRecord = ResolvedTenant & { created_at: Date; updated_at: Date };

export interface TenantChanges {
  name?: string;
  status?: TenantStatus;
  settings?: object;
}

const PROJECTION = { _id: 0, tenant_id: 1, name: 1, status: 1, settings: 1, created_at: 1, updated_at: 1 };

@Injectable()
export class TenantsRepository {
  private readonly defaults: TenantSettings;

  constructor(
    @InjectModel(Tenant.name) private readonly tenants: Model<Tenant>,
    @InjectModel(DeletedTenantId.name) private readonly deletedIds: Model<DeletedTenantId>,
  ) {
    this.defaults = new tenants({ tenant_id: 'defaults', name: 'defaults' }).toObject().settings as TenantSettings;
  }

  async create(
    tenant: Pick<Tenant, 'tenant_id' | 'name'> & { settings?: Record<string, unknown> },
  ): Promise<TenantRecord> {
    const created = await this.tenants.create(tenant);
    return this.toRecord(created.toObject());
  }

  async findById(tenantId: string): Promise<TenantRecord | null> {
    const found = await this.tenants.findOne({ tenant_id: tenantId }, PROJECTION).lean<TenantRecord>();
    return found ? this.toRecord(found) : null;
  }

  list(): Promise<TenantRecord[]> {
    return this.tenants.find({}, PROJECTION).sort({ tenant_id: 1 }).lean<TenantRecord[]>();
  }

  /** Applies changes field by field (nested settings included) so unspecified settings keep their value. */
  async update(tenantId: string, changes: TenantChanges): Promise<TenantRecord | null> {
    const $set: Record<string, unknown> = {};
    if (changes.name !== undefined) $set.name = changes.name;
    if (changes.status !== undefined) $set.status = changes.status;
    for (const [path, value] of flatten(changes.settings ?? {}, 'settings')) $set[path] = value;
    const updated = await this.tenants
      .findOneAndUpdate(
        { tenant_id: tenantId },
        { $set },
        // No projection: the local store has none on findAndModify; toRecord picks the fields.
        { returnDocument: 'after', runValidators: true },
      )
      .lean<TenantRecord>();
    return updated ? this.toRecord(updated) : null;
  }

  /** Removes the record of a tenant being deleted (the last step of its erasure); false when gone already. */
  async removeDeleting(tenantId: string): Promise<boolean> {
    return (await this.tenants.deleteOne({ tenant_id: tenantId, status: 'deleting' })).deletedCount === 1;
  }

  /** Holds an erased tenant's id back from reuse until `reusable_from` (a rerun moves it later). */
  async holdDeletedId(tenantId: string, reusableFrom: Date): Promise<void> {
    await this.deletedIds.updateOne(
      { _id: tenantId },
      { $set: { deleted_at: new Date(), reusable_from: reusableFrom } },
      { upsert: true },
    );
  }

  /** Until when the id of an erased tenant is held back; null when it is free. */
  async deletedIdHeldUntil(tenantId: string, now = new Date()): Promise<Date | null> {
    const held = await this.deletedIds.findOne({ _id: tenantId }).lean<DeletedTenantId>();
    if (!held) return null;
    if (held.reusable_from > now) return held.reusable_from;
    await this.deletedIds.deleteOne({ _id: tenantId, reusable_from: { $lte: now } });
    return null;
  }

  /** Tenants being deleted, for the sweep that finishes an erasure cut short. */
  async idsDeleting(): Promise<string[]> {
    const rows = await this.tenants.find({ status: 'deleting' }, { tenant_id: 1 }).lean<{ tenant_id: string }[]>();
    return rows.map((row) => row.tenant_id);
  }

  /** Creates the tenant unless it exists; never changes an existing one. Safe when replicas race. */
  async ensureExists(tenantId: string, name: string): Promise<void> {
    const now = new Date();
    const defaults = new this.tenants({ tenant_id: tenantId, name, created_at: now, updated_at: now }).toObject();
    try {
      await this.tenants.updateOne(
        { tenant_id: tenantId },
        { $setOnInsert: defaults },
        { upsert: true, timestamps: false },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** Settings added after a tenant was created read as their defaults. */
  private toRecord(raw: TenantRecord & { _id?: unknown }): TenantRecord {
    const { tenant_id, name, status, settings, created_at, updated_at } = raw;
    const defaults = this.defaults;
    const complete = { ...defaults, ...settings, features: { ...defaults.features, ...settings?.features } };
    return { tenant_id, name, status, settings: complete, created_at, updated_at };
  }
}

function flatten(value: object, prefix: string): [string, unknown][] {
  return Object.entries(value).flatMap(([key, inner]) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? flatten(inner, `${prefix}.${key}`)
      : [[`${prefix}.${key}`, inner] as [string, unknown]],
  );
}
