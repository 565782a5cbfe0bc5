import { describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import type { EmailJobsService } from '../../src/modules/notifications/index.js';
import {
  FAILING_AT_LEAST,
  FAILING_FOR_MS,
  WebhookHealthService,
} from '../../src/modules/webhooks/webhook-health.service.js';
import type { WebhookRecord, WebhooksRepository } from '../../src/modules/webhooks/webhooks.repository.js';

/** The 72-hour rule's arithmetic, on the counters the repository answers. */
function health(after: Partial<WebhookRecord> | null, disables = true) {
  const disabled: string[] = [];
  const emails: unknown[] = [];
  const repository = {
    recordFailure: async () => after,
    disable: async (_id: Types.ObjectId, reason: string) => {
      disabled.push(reason);
      return disables;
    },
  } as unknown as WebhooksRepository;
  const jobs = { webhookDisabled: async (...args: unknown[]) => void emails.push(args) } as unknown as EmailJobsService;
  return { service: new WebhookHealthService(repository, jobs), disabled, emails };
}

const inTenant = <T>(work: () => Promise<T>) => TenantContext.runForTenant('acme', work);

describe('webhook health', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const since = (ms: number) => new Date(now.getTime() - ms);

  it('disables only past both thresholds', async () => {
    const cases: [Partial<WebhookRecord> | null, string[]][] = [
      [null, []],
      [{ failing_since: since(FAILING_FOR_MS), consecutive_failures: FAILING_AT_LEAST - 1 }, []],
      [{ failing_since: since(FAILING_FOR_MS - 1), consecutive_failures: 500 }, []],
      [{ failing_since: since(FAILING_FOR_MS), consecutive_failures: FAILING_AT_LEAST }, ['failing']],
    ];
    for (const [after, expected] of cases) {
      const { service, disabled } = health(after);
      await inTenant(() => service.failed(new Types.ObjectId(), now));
      expect(disabled).toEqual(expected);
    }
  });

  it('emails the owners only when this call turned the webhook off', async () => {
    const first = health(null, true);
    await inTenant(() => first.service.disable(new Types.ObjectId(), 'gone'));
    expect(first.emails).toHaveLength(1);
    const again = health(null, false);
    await inTenant(() => again.service.disable(new Types.ObjectId(), 'gone'));
    expect(again.emails).toHaveLength(0);
  });
});
