import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Types } from 'mongoose';
import { ErrorCode } from '../../src/infrastructure/http/error-codes.js';
import type { Actor } from '../../src/infrastructure/tenancy/tenant-context.js';
import { FormsService } from '../../src/modules/forms/forms.service.js';
import { ResponsesService } from '../../src/modules/responses/responses.service.js';
import { createDomainFixture, type DomainFixture } from '../support/domain-fixture.js';
import { useTestEnvironment } from '../support/test-environment.js';

const editor: Actor = { user_id: '64b000000000000000000001', role: 'editor' };

describe('submission rules, below HTTP', () => {
  let domain: DomainFixture;
  let forms: FormsService;
  let responses: ResponsesService;

  /** A published form with one required text field, in a tenant that allows two responses per form. */
  async function publishedForm(tenantId: string): Promise<Types.ObjectId> {
    await domain.createTenant(tenantId, { max_responses_per_form: 2 });
    return domain.inTenant(
      tenantId,
      async () => {
        const form = await forms.create({
          title: 'Quota',
          fields: [{ key: 'name', type: 'text', label: 'Name', required: true }],
        });
        await forms.publish(form._id);
        return form._id;
      },
      editor,
    );
  }

  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'stored',
      (error: { code?: string }) => error.code,
    );

  beforeAll(async () => {
    useTestEnvironment('submission-rules');
    domain = await createDomainFixture();
    forms = domain.get(FormsService);
    responses = domain.get(ResponsesService);
  });

  afterAll(() => domain.close());

  it('gives back the slot a replayed Idempotency-Key took: the replay stores nothing and counts for nothing', async () => {
    const formId = await publishedForm('replays');
    await domain.inTenant('replays', async () => {
      const first = await responses.submit(formId, { data: { name: 'Ada' } }, 'key-1');
      expect(await responses.submit(formId, { data: { name: 'Ada' } }, 'key-1')).toEqual(first);
      const second = await responses.submit(formId, { data: { name: 'Bob' } });
      expect(second.response_id).not.toBe(first.response_id);
      expect(await codeOf(responses.submit(formId, { data: { name: 'Cy' } }))).toBe(ErrorCode.QuotaExceeded);
      const stored = await responses.list({ formId, limit: 10 });
      expect(stored.items.map((response) => response.data.name).sort()).toEqual(['Ada', 'Bob']);
    });
  });

  it('takes no slot for invalid data, and still answers a known key once the form is full', async () => {
    const formId = await publishedForm('invalid');
    await domain.inTenant('invalid', async () => {
      expect(await codeOf(responses.submit(formId, { data: {} }))).toBe(ErrorCode.ValidationFailed);
      expect(await codeOf(responses.submit(formId, { data: { name: 1 } }))).toBe(ErrorCode.ValidationFailed);
      const kept = await responses.submit(formId, { data: { name: 'Ada' } }, 'key-1');
      await responses.submit(formId, { data: { name: 'Bob' } });
      expect(await codeOf(responses.submit(formId, { data: { name: 'Cy' } }))).toBe(ErrorCode.QuotaExceeded);
      expect(await responses.submit(formId, { data: { name: 'Ada' } }, 'key-1')).toEqual(kept);
    });
  });
});
