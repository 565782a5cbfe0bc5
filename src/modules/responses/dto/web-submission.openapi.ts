import { getSchemaPath } from '@nestjs/swagger';
import { SubmissionDto } from './response.dto.js';

/** A form body's fields: the form's own field keys, plus the control fields that are never stored. */
const FORM_BODY_SCHEMA = {
  type: 'object',
  description:
    "The form's field keys, as text: number as a decimal, checkbox on/true/1/yes (absent: false), multiselect " +
    'by repeated keys (tags=a&tags=b, or tags[]=a), date YYYY-MM-DD; an empty optional value is absent. Never ' +
    'stored: _idempotency_key (as the Idempotency-Key header), the honeypot field, and the captcha widgets’ ' +
    'cf-turnstile-response, h-captcha-response, g-recaptcha-response',
  additionalProperties: { type: 'string' },
  properties: {
    _idempotency_key: { type: 'string', description: 'As the Idempotency-Key header' },
    'cf-turnstile-response': { type: 'string', description: 'Cloudflare Turnstile’s token' },
    'h-captcha-response': { type: 'string', description: 'hCaptcha’s token' },
    'g-recaptcha-response': { type: 'string', description: 'Google reCAPTCHA’s token' },
  },
  example: { email: 'ada@example.com', message: 'Hello', tags: ['a', 'b'], _idempotency_key: 'c0ffee-1' },
};

/** `POST /forms/:form_id/submit` takes JSON, and the two bodies a plain HTML form posts. */
export const SUBMIT_REQUEST_BODY = {
  required: true,
  content: {
    'application/json': { schema: { $ref: getSchemaPath(SubmissionDto) } },
    'application/x-www-form-urlencoded': { schema: FORM_BODY_SCHEMA },
    'multipart/form-data': {
      schema: {
        ...FORM_BODY_SCHEMA,
        description: `${FORM_BODY_SCHEMA.description}. A file field's part is uploaded (the upload limits hold) and bound to this response`,
        additionalProperties: { oneOf: [{ type: 'string' }, { type: 'string', format: 'binary' }] },
      },
    },
  },
};
