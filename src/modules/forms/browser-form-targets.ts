import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import { BrowserFormTargets } from '../../infrastructure/http/browser-form-post.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { FormsRepository } from './forms.repository.js';

/** A flood of refused browser posts (429s) costs one read per form per this long. */
const ERROR_URL_CACHE_TTL_MS = 10_000;

/**
 * The forms' `error_url`s for the exception filter, which answers a browser's refused form post:
 * looked up by form id across tenants, because the refusal may come before the tenant is known
 * (an unknown tenant, a rate limit). The URL was checked against its tenant's origins when saved.
 */
@Injectable()
export class FormErrorUrls extends BrowserFormTargets {
  private readonly cache = new LRUCache<string, string | false>({ max: 10_000, ttl: ERROR_URL_CACHE_TTL_MS });

  constructor(private readonly forms: FormsRepository) {
    super();
  }

  async errorUrlFor(formId: string): Promise<string | null> {
    if (!isObjectIdHex(formId)) return null;
    const cached = this.cache.get(formId);
    if (cached !== undefined) return cached || null;
    const url = await TenantContext.runAsSystem(
      'browser form post: the error_url of a form',
      () => this.forms.errorUrlOf(new Types.ObjectId(formId)),
      'debug',
    );
    this.cache.set(formId, url ?? false);
    return url;
  }
}
