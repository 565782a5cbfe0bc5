import { describe, expect, it } from '@jest/globals';
import { legacyNotifiedResponse, withoutAnswers } from '../../src/modules/notifications/legacy-email-jobs.js';

const notification = {
  tenant_id: 'acme',
  to: 'owner@example.com',
  template: 'response-notification' as const,
  context: { form_title: 'Contact', response_id: '64b000000000000000000001', fields: [{ key: 'a', value: '"x"' }] },
};

describe('email jobs of the previous release', () => {
  it("keeps a response notification's recipient and response id, and none of its answers", () => {
    expect(withoutAnswers('send', notification)).toEqual({
      tenant_id: 'acme',
      to: 'owner@example.com',
      template: 'response-notification',
      context: { response_id: '64b000000000000000000001' },
    });
    const fanOut = { tenant_id: 'acme', event_id: 'e', form_id: 'f', response_id: 'r', data: { a: 'x' } };
    expect(withoutAnswers('response-notification', fanOut)).toEqual({
      tenant_id: 'acme',
      event_id: 'e',
      form_id: 'f',
      response_id: 'r',
    });
  });

  it('leaves alone jobs that hold no answers: scrubbed ones, other templates, this release’s jobs', () => {
    const scrubbed = withoutAnswers('send', notification);
    expect(withoutAnswers('send', scrubbed)).toBeNull();
    expect(withoutAnswers('send', { ...notification, template: 'welcome', context: { name: 'Ada' } })).toBeNull();
    expect(withoutAnswers('response-notification', { tenant_id: 'acme', response_id: 'r' })).toBeNull();
    expect(withoutAnswers('response-email', { tenant_id: 'acme', to: 'a@example.com', response_id: 'r' })).toBeNull();
    expect(withoutAnswers('send', null)).toBeNull();
  });

  it('tells which response a legacy send notifies of, and none for other emails', () => {
    expect(legacyNotifiedResponse(notification)).toBe('64b000000000000000000001');
    expect(legacyNotifiedResponse({ ...notification, template: 'welcome', context: { name: 'Ada' } })).toBeNull();
  });
});
