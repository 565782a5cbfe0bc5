import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import { ApiError, type ErrorBody } from '../../src/infrastructure/http/api-error.js';
import { ErrorCode } from '../../src/infrastructure/http/error-codes.js';
import type { Actor } from '../../src/infrastructure/tenancy/tenant-context.js';
import type { FormField } from '../../src/modules/forms/form-field.types.js';
import { FormsRepository } from '../../src/modules/forms/forms.repository.js';
import { FormsService } from '../../src/modules/forms/forms.service.js';
import { ResponsesService } from '../../src/modules/responses/responses.service.js';
import { SubmissionService } from '../../src/modules/responses/submission.service.js';
import { createDomainFixture, type DomainFixture } from '../support/domain-fixture.js';
import { useTestEnvironment } from '../support/test-environment.js';

const editor = { user_id: '64b000000000000000000001', role: 'editor' } satisfies Actor;

describe('submission rules, below HTTP', () => {
  let domain: DomainFixture;
  let forms: FormsService;
  let responses: ResponsesService;
  let submissions: SubmissionService;

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
    submissions = domain.get(SubmissionService);
  });

  afterAll(() => domain.close());

  it('gives back the slot a replayed Idempotency-Key took: the replay stores nothing and counts for nothing', async () => {
    const formId = await publishedForm('replays');
    await domain.inTenant('replays', async () => {
      const first = await submissions.submit(formId, { data: { name: 'Ada' } }, { idempotencyKey: 'key-1' });
      expect(await submissions.submit(formId, { data: { name: 'Ada' } }, { idempotencyKey: 'key-1' })).toEqual(first);
      const second = await submissions.submit(formId, { data: { name: 'Bob' } });
      expect(second.response_id).not.toBe(first.response_id);
      expect(await codeOf(submissions.submit(formId, { data: { name: 'Cy' } }))).toBe(ErrorCode.QuotaExceeded);
      const stored = await responses.list({ formId, limit: 10 });
      expect(stored.items.map((response) => response.data.name).sort()).toEqual(['Ada', 'Bob']);
    });
  });

  it('takes no slot for invalid data, and still answers a known key once the form is full', async () => {
    const formId = await publishedForm('invalid');
    await domain.inTenant('invalid', async () => {
      expect(await codeOf(submissions.submit(formId, { data: {} }))).toBe(ErrorCode.ValidationFailed);
      expect(await codeOf(submissions.submit(formId, { data: { name: 1 } }))).toBe(ErrorCode.ValidationFailed);
      const kept = await submissions.submit(formId, { data: { name: 'Ada' } }, { idempotencyKey: 'key-1' });
      await submissions.submit(formId, { data: { name: 'Bob' } });
      expect(await codeOf(submissions.submit(formId, { data: { name: 'Cy' } }))).toBe(ErrorCode.QuotaExceeded);
      expect(await submissions.submit(formId, { data: { name: 'Ada' } }, { idempotencyKey: 'key-1' })).toEqual(kept);
    });
  });

  it('bounds a form stored before patterns had a budget: a value its patterns cannot afford is refused unread', async () => {
    await domain.createTenant('legacy');
    await domain.inTenant(
      'legacy',
      async () => {
        // As an older version stored it, past today's save-time rules: the form that held the event
        // loop for 2.7 s (ten `[a-z]{97}$` text fields, no max_length).
        const fields: FormField[] = Array.from({ length: 10 }, (_, index) => ({
          key: `f${index}`,
          type: 'text',
          label: `F${index}`,
          pattern: '[a-z]{97}$',
        }));
        const formId = new Types.ObjectId();
        await domain.get(FormsRepository).create({
          _id: formId,
          title: 'Legacy',
          slug: 'legacy',
          description: '',
          fields,
          owner_id: editor.user_id,
        });
        await forms.publish(formId);

        // 100 instructions × 500 characters × 10 fields: the per-submission budget of 500,000.
        const valuesOf = (length: number) => Object.fromEntries(fields.map((field) => [field.key, 'a'.repeat(length)]));
        const refused = await submissions.submit(formId, { data: valuesOf(100_000) }).catch((error: ApiError) => error);
        expect(refused).toBeInstanceOf(ApiError);
        const body = (refused as ApiError).getResponse() as ErrorBody;
        expect(body.error).toBe(ErrorCode.ValidationFailed);
        expect(body.details).toEqual(
          fields.map((field) => ({ field: `data.${field.key}`, message: 'must be at most 500 characters' })),
        );
        expect(await codeOf(submissions.submit(formId, { data: valuesOf(501) }))).toBe(ErrorCode.ValidationFailed);
        expect(await codeOf(submissions.submit(formId, { data: valuesOf(500) }))).toBe('stored');
        expect((await responses.list({ formId, limit: 10 })).items).toHaveLength(1);
      },
      editor,
    );
  });
});
