/** The formats an export is written in, and how each is downloaded. */
export const EXPORT_FORMATS = ['csv', 'json', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The download's filename: the form's id, then the format's usual extension. */
export function exportFilename(formId: string, format: ExportFormat): string {
  return `form-${formId}-responses.${format}`;
}
