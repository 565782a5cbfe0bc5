import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo, Types } from 'mongoose';
import { AppConfigService } from '../config/app-config.service.js';
import { TenantContext } from '../tenancy/tenant-context.js';

/** The v1 collections migration 001 copies, backs up and (on `down 1`) sets aside. */
export const V1_COLLECTIONS = ['users', 'forms', 'form_versions', 'form_responses', 'files'] as const;
export type V1Collection = (typeof V1_COLLECTIONS)[number];

/**
 * What migration 001 leaves beside each collection, under the stamp of its run: `_backup_` (the v1
 * original, v1 password hashes included), `_rolledback_` (the migrated collection `down 1` set aside)
 * and `_migrating_` (the copy of a run that stopped before its swap).
 */
const LEFTOVER = new RegExp(`^(${V1_COLLECTIONS.join('|')})_(backup|rolledback|migrating)_(\\d{14})$`);

export interface V1Leftover {
  name: string;
  collection: V1Collection;
  kind: 'backup' | 'rolledback' | 'migrating';
  documents: number;
}

/**
 * The collections migration 001 keeps, for as long as they exist: listed and dropped by `migrate
 * finalize 1`, and reached by erasure meanwhile, so that an erased response or tenant is gone from
 * them too (`eraseResponse`, `eraseDocuments`, `eraseTenant`; callers pass the tenant explicitly).
 *
 * Whose is a document: one with a `tenant_id` is that tenant's; a v1 document has none and belongs to
 * `DEFAULT_TENANT_ID`, the tenant migration 001 gave the v1 data. Every deletion is filtered by it, so
 * an id of another tenant erases nothing.
 *
 * Raw driver access, because these collections have no model (their names carry a run's stamp) and
 * their v1 documents no tenant for the plugin to scope by.
 */
@Injectable()
export class V1BackupsService {
  private readonly logger = new Logger(V1BackupsService.name);

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: AppConfigService,
  ) {}

  /** Every leftover collection of migration 001 with its document count, by name. */
  async list(): Promise<V1Leftover[]> {
    const leftovers: V1Leftover[] = [];
    for (const name of await this.leftoverNames()) {
      const [, collection, kind] = LEFTOVER.exec(name) as RegExpExecArray;
      const documents = await this.db().collection(name).countDocuments({});
      leftovers.push({ name, collection: collection as V1Collection, kind: kind as V1Leftover['kind'], documents });
    }
    return leftovers;
  }

  /** Drops these leftover collections (names that are not 001's leftovers are refused); answers what went. */
  async drop(names: readonly string[]): Promise<string[]> {
    const stray = names.filter((name) => !LEFTOVER.test(name));
    if (stray.length > 0) throw new Error(`not a collection migration 001 left: ${stray.join(', ')}`);
    const existing = new Set(await this.leftoverNames());
    const dropped: string[] = [];
    for (const name of names.filter((candidate) => existing.has(candidate))) {
      await this.db().dropCollection(name);
      dropped.push(name);
    }
    return dropped;
  }

  /** Erases one response from every leftover of `form_responses` (its v1 document and any copy). */
  eraseResponse(tenantId: string, responseId: Types.ObjectId): Promise<number> {
    return this.eraseDocuments(tenantId, 'form_responses', [responseId]);
  }

  /** Erases the documents with these ids of one v1 collection from its leftovers, the tenant's only. */
  async eraseDocuments(tenantId: string, collection: V1Collection, ids: Types.ObjectId[]): Promise<number> {
    if (ids.length === 0) return 0;
    const names = (await this.leftoverNames()).filter((name) => name.startsWith(`${collection}_`));
    return this.erase(names, tenantId, { _id: { $in: ids } }, `${ids.length} ${collection} documents`);
  }

  /** Erases every document of the tenant from every leftover (the default tenant's: every v1 document too). */
  async eraseTenant(tenantId: string): Promise<number> {
    return this.erase(await this.leftoverNames(), tenantId, {}, 'every document of the tenant');
  }

  private async erase(
    names: string[],
    tenantId: string,
    filter: mongo.Filter<mongo.Document>,
    what: string,
  ): Promise<number> {
    if (names.length === 0) return 0;
    return TenantContext.runAsSystem(`erasure in the v1 backups: ${what} of tenant '${tenantId}'`, async () => {
      let erased = 0;
      for (const name of names) {
        for (const owner of this.ownerFilters(tenantId)) {
          erased += (
            await this.db()
              .collection(name)
              .deleteMany({ ...filter, ...owner })
          ).deletedCount;
        }
      }
      this.logger.log({ msg: 'erased from the v1 backups', tenant_id: tenantId, collections: names.length, erased });
      return erased;
    });
  }

  /** A tenant's documents; the default tenant's are also those without a tenant (v1's). */
  private ownerFilters(tenantId: string): mongo.Filter<mongo.Document>[] {
    const own = { tenant_id: tenantId };
    return tenantId === this.config.tenancy.defaultTenantId ? [own, { tenant_id: null }] : [own];
  }

  private async leftoverNames(): Promise<string[]> {
    const collections = await this.db().listCollections({}, { nameOnly: true }).toArray();
    return collections
      .map((collection) => collection.name)
      .filter((name) => LEFTOVER.test(name))
      .sort();
  }

  private db(): mongo.Db {
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    return db;
  }
}
