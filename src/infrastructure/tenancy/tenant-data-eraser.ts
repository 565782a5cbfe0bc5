import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { TenantContext } from './tenant-context.js';
import { TENANT_FIELD } from './tenant-scope.plugin.js';

/** The registry itself: its record goes last, through the tenants service. */
const KEPT_COLLECTIONS = new Set(['tenants']);

/**
 * The last wall of a tenant's deletion: removes every document carrying its `tenant_id` from every
 * collection the database holds, listed from the database itself, so a collection added later (or a
 * migration's backup) cannot be forgotten. Raw driver access, in the system scope, because it works
 * across collections no model describes; it runs only once the tenant is marked `deleting`.
 */
@Injectable()
export class TenantDataEraser {
  private readonly logger = new Logger(TenantDataEraser.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Answers the number of documents removed per collection (collections with none left out). */
  eraseEverywhere(tenantId: string, batchSize: number): Promise<Record<string, number>> {
    return TenantContext.runAsSystem(`tenant deletion: erase every document of tenant '${tenantId}'`, async () => {
      const removed: Record<string, number> = {};
      for (const name of await this.collectionNames()) {
        const count = await this.eraseFrom(name, tenantId, batchSize);
        if (count > 0) removed[name] = count;
        this.logger.log({
          msg: 'tenant deletion (system scope): collection erased',
          tenant_id: tenantId,
          collection: name,
          removed: count,
        });
      }
      return removed;
    });
  }

  /** Documents of the tenant still stored anywhere but the registry (what a finished erasure leaves: none). */
  countEverywhere(tenantId: string): Promise<number> {
    return TenantContext.runAsSystem(`tenant deletion: count what is left of tenant '${tenantId}'`, async () => {
      let left = 0;
      for (const name of await this.collectionNames()) {
        left += await this.db()
          .collection(name)
          .countDocuments({ [TENANT_FIELD]: tenantId });
      }
      return left;
    });
  }

  private async collectionNames(): Promise<string[]> {
    const collections = await this.db().listCollections({}, { nameOnly: true }).toArray();
    return collections
      .map((collection) => collection.name)
      .filter((name) => !KEPT_COLLECTIONS.has(name) && !name.startsWith('system.'))
      .sort();
  }

  /** In batches of ids, so one huge collection never turns into one long, unresumable delete. */
  private async eraseFrom(name: string, tenantId: string, batchSize: number): Promise<number> {
    const collection = this.db().collection(name);
    let removed = 0;
    for (;;) {
      const batch = await collection
        .find({ [TENANT_FIELD]: tenantId }, { projection: { _id: 1 } })
        .limit(batchSize)
        .toArray();
      if (batch.length === 0) return removed;
      const result = await collection.deleteMany({
        [TENANT_FIELD]: tenantId,
        _id: { $in: batch.map((doc) => doc._id) },
      });
      removed += result.deletedCount;
    }
  }

  private db() {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    return db;
  }
}
