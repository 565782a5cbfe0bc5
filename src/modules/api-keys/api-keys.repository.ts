import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { ApiKey } from './api-key.schema.js';

export type ApiKeyRecord = Omit<ApiKey, 'key_hash'>;

const WITHOUT_HASH = { key_hash: 0 };

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectModel(ApiKey.name) private readonly keys: Model<ApiKey>) {}

  async create(
    key: Pick<ApiKey, 'name' | 'role' | 'prefix' | 'key_hash' | 'expires_at' | 'created_by'>,
  ): Promise<ApiKeyRecord> {
    const created: Partial<ApiKey> = (await this.keys.create(key)).toObject();
    delete created.key_hash;
    return created as ApiKeyRecord;
  }

  count(): Promise<number> {
    return this.keys.countDocuments({});
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.keys.find({}, WITHOUT_HASH).sort({ created_at: -1, _id: -1 }).lean<ApiKeyRecord[]>();
  }

  async remove(id: Types.ObjectId): Promise<boolean> {
    const result = await this.keys.deleteOne({ _id: id });
    return result.deletedCount === 1;
  }

  /**
   * The key with this hash, whichever its tenant: a bearer key names no tenant, its document does.
   * The one read across tenants here, by a unique hash that only the key's holder can name.
   */
  findByHash(keyHash: string): Promise<ApiKey | null> {
    return TenantContext.runAsSystem(
      'authenticate an API key',
      () => this.keys.findOne({ key_hash: keyHash }).lean<ApiKey>(),
      'debug',
    );
  }

  /** Records a use, unless one was recorded within `sinceMs` (on any replica): at most one write a minute. */
  async touch(tenantId: string, id: Types.ObjectId, now: Date, sinceMs: number): Promise<void> {
    const stale = new Date(now.getTime() - sinceMs);
    await TenantContext.runForTenant(tenantId, () =>
      this.keys.updateOne(
        { _id: id, $or: [{ last_used_at: null }, { last_used_at: { $lte: stale } }] },
        { $set: { last_used_at: now } },
      ),
    );
  }
}
