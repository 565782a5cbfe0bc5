import { describe, expect, it } from '@jest/globals';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { Metrics } from '../../src/infrastructure/metrics/metrics.js';
import type {
  ClaimDecision,
  CountedLimit,
  OnceCountedLimits,
} from '../../src/infrastructure/rate-limit/once-counted-limits.js';
import type { FormsService } from '../../src/modules/forms/forms.service.js';
import { AutoresponsesService } from '../../src/modules/notifications/autoresponses.service.js';
import type { MailService, RenderedMail } from '../../src/modules/notifications/mail.service.js';
import type { ResponsesService } from '../../src/modules/responses/responses.service.js';
import type { UsersService } from '../../src/modules/users/users.service.js';

const job = { tenant_id: 'acme', form_id: '64b000000000000000000001', response_id: '64b000000000000000000002' };
const autoresponse = { email_field: 'email', subject: 'Thanks', text: 'Hello {{name}}' };
const form = { owner_id: 'u1', settings: { notification_emails: ['gone@acme.test', 'team@acme.test'], autoresponse } };

function autoresponses(options: { form?: object | null; decision?: ClaimDecision; markFails?: boolean } = {}) {
  const sent: RenderedMail[] = [];
  const claims: { claim: string; limits: CountedLimit[] }[] = [];
  const metrics = new Metrics();
  const service = new AutoresponsesService(
    { find: async () => (options.form === undefined ? form : options.form) } as unknown as FormsService,
    {
      findLive: async () => ({ form_id: job.form_id, data: { email: 'Visitor@Example.com', name: 'Ada' } }),
    } as unknown as ResponsesService,
    {
      nonMemberEmails: async () => ['gone@acme.test'],
      emailOf: async () => 'owner@acme.test',
    } as unknown as UsersService,
    {
      sendRendered: async (mail: RenderedMail) => {
        sent.push(mail);
        return '<id@test>';
      },
    } as unknown as MailService,
    {
      claim: async (claim: string, limits: CountedLimit[]) => {
        claims.push({ claim, limits });
        return options.decision ?? { outcome: 'granted' };
      },
      markDone: async () => {
        if (options.markFails) throw new Error('redis gone');
      },
    } as unknown as OnceCountedLimits,
    metrics,
    { autoresponseLimits: { perAddressPerHour: 3, perFormPerHour: 200 } } as unknown as AppConfigService,
  );
  return { service, sent, claims, metrics };
}

describe('an autoresponse, as the worker sends it', () => {
  it('claims once per response, against the hashed address and the form, and replies to a member', async () => {
    const { service, sent, claims } = autoresponses();
    expect(await service.send(job, 'evt.autoresponse')).toEqual({ message_id: '<id@test>' });
    expect(sent).toEqual([
      expect.objectContaining({
        to: 'Visitor@Example.com',
        replyTo: 'team@acme.test',
        kind: 'autoresponse',
        sendingId: 'evt.autoresponse',
      }),
    ]);
    expect(sent[0]?.content.text).toBe('Hello Ada');
    expect(claims).toHaveLength(1);
    expect(claims[0]?.claim).toBe(`autoresponse:acme:${job.response_id}`);
    const [address, perForm] = claims[0]?.limits ?? [];
    expect(address).toEqual({
      name: 'autoresponse-address',
      subject: expect.stringMatching(/^[0-9a-f]{64}$/),
      limit: 3,
    });
    expect(JSON.stringify(claims)).not.toMatch(/visitor/i);
    expect(perForm).toEqual({ name: 'autoresponse-form', subject: `acme:${job.form_id}`, limit: 200 });
  });

  it('sends nothing for a form deleted since, and counts the skip', async () => {
    const { service, sent, metrics } = autoresponses({ form: null });
    expect(await service.send(job)).toEqual({ skipped: 'form_deleted' });
    expect(sent).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('autoresponses_skipped_total')).toContain(
      'reason="form_deleted"} 1',
    );
  });

  it('sends nothing once sent, and names the limit that was full', async () => {
    const done = autoresponses({ decision: { outcome: 'done' } });
    expect(await done.service.send(job)).toEqual({ skipped: 'sent already' });
    const full = autoresponses({ decision: { outcome: 'over', limit: 'autoresponse-form' } });
    expect(await full.service.send(job)).toEqual({ skipped: 'form_limit' });
    expect([...done.sent, ...full.sent]).toEqual([]);
  });

  it('does not fail a sent email when it cannot be marked sent', async () => {
    const { service, sent, metrics } = autoresponses({ markFails: true });
    expect(await service.send(job)).toEqual({ message_id: '<id@test>' });
    expect(sent[0]?.sendingId).toBe(`autoresponse:acme:${job.response_id}`);
    expect(await metrics.registry.getSingleMetricAsString('autoresponses_sent_total')).toContain(
      'autoresponses_sent_total 1',
    );
  });
});
