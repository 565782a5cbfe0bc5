import Handlebars from 'handlebars';

/** Every email the system sends: subject and body are Handlebars templates (HTML-escaped values). */
const SOURCES = {
  welcome: {
    subject: 'Welcome, {{name}}',
    text: 'Hello {{name}},\n\nyour account {{email}} is ready. Sign in to start building forms.\n',
  },
  'password-reset': {
    subject: 'Reset your password',
    text:
      'Hello {{name}},\n\nsomeone asked to reset the password of {{email}}. If it was you, use this token ' +
      'within the hour:\n\n{{token}}\n\nIf it was not you, ignore this email.\n',
  },
  invitation: {
    subject: '{{inviter}} shared the form "{{form_title}}" with you',
    text: 'Hello,\n\n{{inviter}} invited you to the form "{{form_title}}" as {{role}}.\n',
  },
  'response-notification': {
    subject: 'New response to "{{form_title}}"',
    text: 'A new response ({{response_id}}) arrived for "{{form_title}}":\n\n{{#each fields}}{{key}}: {{value}}\n{{/each}}',
  },
} as const;

export type EmailTemplate = keyof typeof SOURCES;

const compiled = Object.fromEntries(
  Object.entries(SOURCES).map(([name, source]) => [
    name,
    {
      subject: Handlebars.compile(source.subject, { noEscape: true }),
      text: Handlebars.compile(source.text, { noEscape: true }),
    },
  ]),
) as Record<EmailTemplate, { subject: Handlebars.TemplateDelegate; text: Handlebars.TemplateDelegate }>;

export function renderEmail(
  template: EmailTemplate,
  context: Record<string, unknown>,
): { subject: string; text: string } {
  const { subject, text } = compiled[template];
  // Subjects are single lines whatever the values hold: no header injection through a name.
  return { subject: subject(context).replace(/[\r\n]+/g, ' '), text: text(context) };
}
