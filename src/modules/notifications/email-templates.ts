import Handlebars from 'handlebars';
import { displayText } from './display-text.js';

/**
 * Every email the system sends, as Handlebars templates: a subject, a text part and an HTML part.
 * Values are HTML-escaped in the HTML part only; links are built by the app, never from user input.
 * `names` lists the values people chose that the email shows to someone else (see `displayText`):
 * each is shown as plain text, never as a link. Respondents' answers in a notification are data the
 * members collect and are left as they are.
 */
const SOURCES: Record<string, { subject: string; text: string; html: string; names?: readonly string[] }> = {
  welcome: {
    names: ['name'],
    subject: 'Welcome, {{name}}',
    text: 'Hello {{name}},\n\nyour account {{email}} is ready. Sign in to start building forms.\n',
    html: '<p>Hello {{name}},</p><p>your account {{email}} is ready. Sign in to start building forms.</p>',
  },
  'password-reset': {
    names: ['name'],
    subject: 'Reset your password',
    text:
      'Hello {{name}},\n\nsomeone asked to reset the password of {{email}}. If it was you, open this link ' +
      'within the hour:\n\n{{link}}\n\nIf it was not you, ignore this email.\n',
    html:
      '<p>Hello {{name}},</p><p>someone asked to reset the password of {{email}}. If it was you, ' +
      '<a href="{{link}}">choose a new password</a> within the hour.</p><p>If it was not you, ignore this email.</p>',
  },
  invitation: {
    names: ['name', 'tenant_name', 'inviter', 'form_title'],
    subject: 'You are invited to join {{tenant_name}}',
    text:
      'Hello{{#if name}} {{name}}{{/if}},\n\n{{#if inviter}}{{inviter}} invites you{{else}}You are invited{{/if}} ' +
      'to join {{tenant_name}} as {{role}}{{#if form_title}}, to work on the form "{{form_title}}"{{/if}}.\n\n' +
      'Accept the invitation (the link works once, until {{expires_at}}):\n\n{{link}}\n',
    html:
      '<p>Hello{{#if name}} {{name}}{{/if}},</p><p>{{#if inviter}}{{inviter}} invites you{{else}}You are invited{{/if}} ' +
      'to join {{tenant_name}} as {{role}}{{#if form_title}}, to work on the form &ldquo;{{form_title}}&rdquo;{{/if}}.</p>' +
      '<p><a href="{{link}}">Accept the invitation</a> (the link works once, until {{expires_at}}).</p>',
  },
  'webhook-disabled': {
    names: ['name'],
    subject: 'A webhook was disabled',
    text:
      'Hello {{name}},\n\nthe webhook {{webhook_id}} was disabled: ' +
      '{{#if failing}}every delivery to it failed for 72 hours{{else}}its receiver answered 410 Gone{{/if}}. ' +
      'It gets no events until it is enabled again (PATCH /api/v1/webhooks/{{webhook_id}} with {"enabled": true}); ' +
      'failed deliveries of the last 7 days can then be retried.\n',
    html:
      '<p>Hello {{name}},</p><p>the webhook {{webhook_id}} was disabled: ' +
      '{{#if failing}}every delivery to it failed for 72 hours{{else}}its receiver answered 410 Gone{{/if}}.</p>' +
      '<p>It gets no events until it is enabled again (<code>PATCH /api/v1/webhooks/{{webhook_id}}</code> with ' +
      '<code>{"enabled": true}</code>); failed deliveries of the last 7 days can then be retried.</p>',
  },
  'response-notification': {
    subject: 'New response to "{{form_title}}"',
    text: 'A new response ({{response_id}}) arrived for "{{form_title}}":\n\n{{#each fields}}{{key}}: {{value}}\n{{/each}}',
    html:
      '<p>A new response ({{response_id}}) arrived for &ldquo;{{form_title}}&rdquo;:</p>' +
      '<table>{{#each fields}}<tr><th align="left">{{key}}</th><td>{{value}}</td></tr>{{/each}}</table>',
  },
};

export type EmailTemplate = 'welcome' | 'password-reset' | 'invitation' | 'response-notification' | 'webhook-disabled';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

type Compiled = Record<keyof RenderedEmail, Handlebars.TemplateDelegate>;

const compiled = Object.fromEntries(
  Object.entries(SOURCES).map(([name, source]) => [
    name,
    {
      subject: Handlebars.compile(source.subject, { noEscape: true }),
      text: Handlebars.compile(source.text, { noEscape: true }),
      html: Handlebars.compile(source.html),
    },
  ]),
) as Record<EmailTemplate, Compiled>;

export function renderEmail(template: EmailTemplate, context: Record<string, unknown>): RenderedEmail {
  const { subject, text, html } = compiled[template];
  const shown = { ...context };
  for (const key of SOURCES[template].names ?? []) {
    if (shown[key] !== null && shown[key] !== undefined) shown[key] = displayText(shown[key]);
  }
  // Subjects are single lines of visible characters whatever the values hold: no header injection.
  return {
    subject: subject(shown).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' '),
    text: text(shown),
    html: html(shown),
  };
}
