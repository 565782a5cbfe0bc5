import { describe, expect, it } from '@jest/globals';
import type { Types } from 'mongoose';
import type { FormsService } from '../../src/modules/forms/forms.service.js';
import { FormEmbeddingOrigins } from '../../src/modules/tenants/form-embedding-origins.js';
import type { TenantResolver } from '../../src/modules/tenants/tenant-resolver.js';

describe('the origins that may embed a form', () => {
  const formId = '65a1b2c3d4e5f6a7b8c9d0ef';
  const setup = () => {
    const lookups: string[] = [];
    const forms = {
      tenantOf: async (id: Types.ObjectId) => {
        lookups.push(id.toHexString());
        return 'acme';
      },
    } as unknown as FormsService;
    const tenants = {
      find: async () => ({ status: 'active', settings: { allowed_origins: ['https://acme.example'] } }),
    } as unknown as TenantResolver;
    return { origins: new FormEmbeddingOrigins(forms, tenants), lookups };
  };

  it('caches a form under its id as the server reads it: case variants are one entry, not one each', async () => {
    const { origins, lookups } = setup();
    for (const spelling of [formId, formId.toUpperCase(), '65A1b2c3d4e5f6a7b8c9d0eF']) {
      expect(await origins.originsFor(spelling)).toEqual(['https://acme.example']);
    }
    expect(lookups).toEqual([formId]);
  });

  it('answers no origin for an id that names no form, without a lookup', async () => {
    const { origins, lookups } = setup();
    expect(await origins.originsFor('not-an-object-id')).toEqual([]);
    expect(lookups).toEqual([]);
  });
});
