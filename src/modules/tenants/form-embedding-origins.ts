import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { canonicalId, isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import { PublicFormOrigins } from '../../infrastructure/http/cors.js';
import { FormsService } from '../forms/index.js';
import { TenantResolver } from './tenant-resolver.js';

/** A form never changes tenant; a form id nobody owns is looked up again after a short while. */
const OWNER_CACHE_TTL_MS = 10 * 60_000;
const UNKNOWN_FORM_TTL_MS = 10_000;

/**
 * The origins that may embed a form: its tenant's `allowed_origins`, read through the tenant cache
 * (an owner's change reaches every replica within the cache's invalidation bound).
 */
@Injectable()
export class FormEmbeddingOrigins extends PublicFormOrigins {
  private readonly owners = new LRUCache<string, string | false>({ max: 50_000, ttl: OWNER_CACHE_TTL_MS });

  constructor(
    private readonly forms: FormsService,
    private readonly tenants: TenantResolver,
  ) {
    super();
  }

  async originsFor(formId: string): Promise<string[]> {
    if (!isObjectIdHex(formId)) return [];
    // Cached under the id as the server reads it: case variants of one id are one entry, not 256.
    const tenantId = await this.ownerOf(canonicalId(formId));
    if (!tenantId) return [];
    const tenant = await this.tenants.find(tenantId);
    return tenant?.status === 'active' ? tenant.settings.allowed_origins : [];
  }

  private async ownerOf(formId: string): Promise<string | false> {
    const cached = this.owners.get(formId);
    if (cached !== undefined) return cached;
    const owner = (await this.forms.tenantOf(new Types.ObjectId(formId))) ?? false;
    this.owners.set(formId, owner, owner ? undefined : { ttl: UNKNOWN_FORM_TTL_MS });
    return owner;
  }
}
