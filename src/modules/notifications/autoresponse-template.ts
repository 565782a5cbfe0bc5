import Handlebars from 'handlebars';
import { displayText } from './display-text.js';
import type { RenderedEmail } from './email-templates.js';

/**
 * A form's autoresponse, its `{{field_key}}` placeholders filled with a submission's values. The
 * subject and text are the form's own words, not a template language: only `{{key}}` (spaces around
 * the key allowed) is replaced, anything else between braces stays as written.
 *
 * The email goes to whatever address was typed into the form, who may not be the person who typed
 * the values: each value is shown as `displayText` shows names (invisible and bidirectional controls
 * gone, text that reads as a link defanged), so an autoresponse cannot carry someone else's link from
 * this product's domain. In the subject a value is one line of at most 80 characters (line breaks
 * and every other control character become a space: no header injection); in the text each line of
 * a value keeps its line, up to `MAX_TEXT_VALUE` characters. A placeholder whose key is no field of
 * the submission, or whose value is missing or null, becomes nothing. Lists (multiselect) show their
 * items separated by ", ". The HTML part is the filled text, every character of it escaped.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]{0,63})\s*\}\}/g;
const MAX_TEXT_VALUE = 5_000;
const CONTROLS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

export interface AutoresponseSource {
  subject: string;
  text: string;
}

export function renderAutoresponse(source: AutoresponseSource, data: Record<string, unknown>): RenderedEmail {
  const subject = fill(source.subject, data, (value) => displayText(value))
    .replace(CONTROLS, ' ')
    .trim();
  const text = fill(source.text, data, (value) =>
    value
      .split(/\r\n|\r|\n/)
      .map((line) => displayText(line, MAX_TEXT_VALUE))
      .join('\n'),
  );
  const html = text
    .split(/\r\n|\r|\n/)
    .map((line) => Handlebars.Utils.escapeExpression(line))
    .join('<br>\n');
  return { subject, text, html: `<p>${html}</p>` };
}

function fill(source: string, data: Record<string, unknown>, show: (value: string) => string): string {
  return source.replace(PLACEHOLDER, (_placeholder, key: string) => {
    const value = Object.hasOwn(data, key) ? asText(data[key]) : '';
    return value ? show(value) : '';
  });
}

/** A stored answer as a person reads it. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(asText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | boolean);
}
