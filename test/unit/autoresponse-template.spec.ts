import { describe, expect, it } from '@jest/globals';
import { autoresponseProblems } from '../../src/modules/forms/autoresponse-rules.js';
import type { FormField } from '../../src/modules/forms/form-field.types.js';
import { renderAutoresponse } from '../../src/modules/notifications/autoresponse-template.js';

const render = (subject: string, text: string, data: Record<string, unknown>) =>
  renderAutoresponse({ subject, text }, data);

describe('an autoresponse, its placeholders filled with the submission’s values', () => {
  it('fills {{key}} (spaces around the key allowed) in the subject, the text and the HTML part', () => {
    const email = render('Thanks, {{name}}', 'Hello {{ name }},\n\nyou chose {{plan}}.', { name: 'Ada', plan: 'gold' });
    expect(email).toEqual({
      subject: 'Thanks, Ada',
      text: 'Hello Ada,\n\nyou chose gold.',
      html: '<p>Hello Ada,<br>\n<br>\nyou chose gold.</p>',
    });
  });

  it('leaves nothing for an unknown key, a missing value or null, and keeps other braces as written', () => {
    const email = render('Hi {{nobody}}!', '{{missing}}|{{empty}}|{{none}}|{{#if x}}|{{ 1bad }}|{x}', {
      empty: '',
      none: null,
    });
    expect(email.subject).toBe('Hi !');
    expect(email.text).toBe('|||{{#if x}}|{{ 1bad }}|{x}');
  });

  it('reads nothing inherited from objects: {{constructor}} or {{toString}} is an unknown key', () => {
    expect(render('{{constructor}}{{toString}}{{hasOwnProperty}}', 'x', {}).subject).toBe('');
  });

  it('shows numbers, booleans, lists and other values as a person reads them', () => {
    const email = render('s', '{{n}} {{b}} {{list}} {{other}}', {
      n: 4.5,
      b: false,
      list: ['red', 'green'],
      other: { a: 1 },
    });
    expect(email.text).toBe('4.5 false red, green {"a":1}');
  });

  it('keeps the subject one line: line breaks and control characters in a value become a space', () => {
    const email = render('Re: {{topic}}', 'x', { topic: 'Hello\r\nBcc: victim@example.com\u0000\u202eend' });
    for (const character of ['\r', '\n', '\u0000', '\u202e']) expect(email.subject).not.toContain(character);
    expect(email.subject).toBe('Re: Hello Bcc: victim@example[.]com end');
  });

  it('caps a value in the subject at 80 characters, and keeps the lines of a value in the text', () => {
    const email = render('{{long}}', '{{message}}', { long: 'a'.repeat(100), message: 'one\r\ntwo\nthree' });
    expect(email.subject).toBe(`${'a'.repeat(80)}…`);
    expect(email.text).toBe('one\ntwo\nthree');
  });

  it('escapes every value in the HTML part, and the form’s own words too', () => {
    const email = render('s', 'Dear <b>{{name}}</b> & co', { name: '<script>alert("x")</script>' });
    expect(email.text).toBe('Dear <b><script>alert("x")</script></b> & co');
    expect(email.html).toBe(
      '<p>Dear &lt;b&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;/b&gt; &amp; co</p>',
    );
    expect(email.html).not.toContain('<script');
  });

  it('defangs links in values, so an email from this product carries none a respondent typed', () => {
    const email = render('{{site}}', 'Visit {{site}}', { site: 'https://evil.example/login' });
    expect(email.subject).toBe('https[:]//evil[.]example/login');
    expect(email.text).toBe('Visit https[:]//evil[.]example/login');
    expect(email.html).not.toContain('evil.example');
  });
});

describe('the email field an autoresponse names', () => {
  const fields: FormField[] = [
    { key: 'email', type: 'email', label: 'Email' },
    { key: 'name', type: 'text', label: 'Name' },
  ];
  const problem = [
    { field: 'settings.autoresponse.email_field', message: 'must be the key of one of the form’s email fields' },
  ];

  it('must be one of the form’s fields of type email', () => {
    expect(autoresponseProblems({ email_field: 'email' }, fields)).toEqual([]);
    expect(autoresponseProblems({ email_field: 'name' }, fields)).toEqual(problem);
    expect(autoresponseProblems({ email_field: 'missing' }, fields)).toEqual(problem);
  });

  it('is not checked when the form has no autoresponse', () => {
    expect(autoresponseProblems(null, [])).toEqual([]);
    expect(autoresponseProblems(undefined, [])).toEqual([]);
  });
});
