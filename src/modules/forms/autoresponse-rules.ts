import type { ErrorDetail } from '../../infrastructure/http/api-error.js';
import type { AutoresponseDto } from './dto/autoresponse.dto.js';
import type { FormField } from './form-field.types.js';

/**
 * An autoresponse is sent to the address a respondent typed into `email_field`: that key must name a
 * field of type `email` of the form's fields (the working copy), checked whenever the setting or the
 * fields change, so a form never keeps an autoresponse that names a missing or non-email field.
 */
export function autoresponseProblems(
  autoresponse: Pick<AutoresponseDto, 'email_field'> | null | undefined,
  fields: readonly FormField[],
): ErrorDetail[] {
  if (!autoresponse) return [];
  const field = fields.find((candidate) => candidate.key === autoresponse.email_field);
  if (field?.type === 'email') return [];
  return [{ field: 'settings.autoresponse.email_field', message: 'must be the key of one of the form’s email fields' }];
}
