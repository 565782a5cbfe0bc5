import { Readable } from 'node:stream';
import type { FormField } from '../forms/index.js';
import { ResponseDto, type ResponseRecord } from '../responses/index.js';
import type { ExportFormat } from './export-format.js';
import { csvLines } from './writers/csv.js';
import { jsonArrayChunks } from './writers/json.js';
import { type XlsxColumn, xlsxStream } from './writers/xlsx.js';

/**
 * An export's bytes, streamed from `responses` as the storage reads them:
 * - csv and xlsx: one column per field of the form's latest version, then `response_id` and
 *   `submitted_at` (xlsx cells typed: numbers, booleans, dates);
 * - json: one array of responses, each as the API shows a response.
 */
export function exportContent(
  format: ExportFormat,
  fields: FormField[],
  responses: AsyncIterable<ResponseRecord>,
): Readable {
  if (format === 'json') return Readable.from(jsonArrayChunks(map(responses, ResponseDto.from)));
  const keys = fields.map((field) => field.key);
  const rows = map(responses, (response) => [
    ...keys.map((key) => response.data[key]),
    response._id.toHexString(),
    format === 'xlsx' ? response.created_at : response.created_at.toISOString(),
  ]);
  if (format === 'csv') return Readable.from(csvLines([...keys, 'response_id', 'submitted_at'], rows));
  const columns: XlsxColumn[] = [
    ...fields.map((field) => ({ header: field.key, ...(field.type === 'date' ? { format: 'date' as const } : {}) })),
    { header: 'response_id' },
    { header: 'submitted_at', format: 'datetime' },
  ];
  return xlsxStream(columns, rows);
}

async function* map<T, U>(items: AsyncIterable<T>, change: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield change(item);
}
