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
 * looked up by form id outside any tenant, because the refusal may come before the tenant is
 * resolved (a rate limit), then given only to a request naming the form's own tenant. A form of
 * another tenant thus answers as a missing one does (the built-in page), never with its `error_url`.
 * The URL was checked against its tenant's origins when saved.
 */
@Injectable()
export class FormErrorUrls extends BrowserFormTargets {
  private readonly cache = new LRUCache<string, { tenant_id: string; error_url: string | null } | false>({
    max: 10_000,
    ttl: ERROR_URL_CACHE_TTL_MS,
  });

  constructor(private readonly forms: FormsRepository) {
    super();
  }

  async errorUrlFor(formId: string, tenantId: string): Promise<string | null> {
    if (!isObjectIdHex(formId)) return null;
    let form = this.cache.get(formId);
    if (form === undefined) {
      form =
        (await TenantContext.runAsSystem(
          'browser form post: the error_url of a form',
          () => this.forms.errorUrlOf(new Types.ObjectId(formId)),
          'debug',
        )) ?? false;
      this.cache.set(formId, form);
    }
    return form && form.tenant_id === tenantId ? form.error_url : null;
  }
}
