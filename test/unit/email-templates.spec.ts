import { describe, expect, it } from '@jest/globals';
import { displayText, MAX_DISPLAY_LENGTH } from '../../src/modules/notifications/display-text.js';
import { renderEmail } from '../../src/modules/notifications/email-templates.js';

const LINK = 'http://app.test/accept-invitation?tenant=acme&token=abc.def';

const invitation = (overrides: Record<string, unknown>) =>
  renderEmail('invitation', {
    name: null,
    role: 'editor',
    tenant_name: 'Acme',
    inviter: 'Ada',
    form_title: null,
    link: LINK,
    expires_at: 'Mon, 01 Jan 2035 00:00:00 GMT',
    ...overrides,
  });

describe('emails that show names people chose', () => {
  it('keep the subject one line of visible characters, whatever the tenant name holds', () => {
    const email = invitation({ tenant_name: 'Acme\r\nBcc: victim@example.com\u0000\u202eexe.fdp' });
    for (const character of ['\r', '\n', '\u0000', '\u202e']) expect(email.subject).not.toContain(character);
    expect(email.subject).toBe('You are invited to join Acme Bcc: victim@example[.]com exe[.]fdp');
  });

  it('show no link but the product’s own, in the text part or the HTML part', () => {
    const email = invitation({
      tenant_name: 'Your account is locked: https://evil.example/login',
      inviter: 'Support at www.evil.example',
      form_title: 'ｅｖｉｌ．ｅｘａｍｐｌｅ',
      name: 'mail me at eve@evil.example',
    });
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).not.toMatch(/evil\.example|https:\/\/evil|www\.evil/);
    }
    expect(email.text).toContain('Support at www[.]evil[.]example invites you to join Your account is locked:');
    expect(email.text).toContain('https[:]//evil[.]example/login');
    expect(email.text).toContain('the form "evil[.]example"');
    expect(email.text).toContain(LINK);
    expect(email.html).toContain(`href="${LINK.replaceAll('=', '&#x3D;').replaceAll('&token', '&amp;token')}"`);
  });

  it('escape HTML in the HTML part and keep the text part plain', () => {
    const email = invitation({ inviter: '<img src=x onerror=alert(1)> Eve' });
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; Eve invites you');
    expect(email.text).toContain('<img src=x onerror=alert(1)> Eve invites you');
  });

  it('cap a name at MAX_DISPLAY_LENGTH characters', () => {
    const email = invitation({ tenant_name: 'A'.repeat(150) });
    expect(email.subject).toBe(`You are invited to join ${'A'.repeat(MAX_DISPLAY_LENGTH)}…`);
  });

  it('leave ordinary names as they are', () => {
    for (const name of ['Acme Inc.', 'J.R.R. Tolkien', 'Café Müller & Söhne', 'Version 2.0 team', 'Ünïcödé—names']) {
      expect(displayText(name)).toBe(name);
    }
    expect(displayText('  spaced \t out\n')).toBe('spaced out');
    expect(displayText(null)).toBe('');
  });

  it('apply to the welcome and reset emails, whose address anyone may have typed in', () => {
    const welcome = renderEmail('welcome', { name: 'Claim your prize at prize.example', email: 'victim@example.com' });
    expect(welcome.subject).toBe('Welcome, Claim your prize at prize[.]example');
    const reset = renderEmail('password-reset', { name: 'Eve\u200b https://x.example', email: 'a@b.c', link: LINK });
    expect(reset.text).toContain('Hello Eve https[:]//x[.]example,');
  });

  it('leave respondents’ answers in notifications as they were given', () => {
    const notification = renderEmail('response-notification', {
      form_title: 'Contact',
      response_id: 'r1',
      fields: [{ key: 'website', value: 'https://customer.example' }],
    });
    expect(notification.text).toContain('website: https://customer.example');
  });
});
