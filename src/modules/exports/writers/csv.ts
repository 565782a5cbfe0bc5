/** Cells a spreadsheet would run as a formula start with one of these; they get a leading quote. */
export const FORMULA_START = /^[=+\-@\t\r]/;

/** A UTF-8 byte-order mark: without it spreadsheets read the file in the machine's code page (accents break). */
export const UTF8_BOM = '\uFEFF';

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(text).join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One RFC 4180 cell: quoted when it holds a comma, quote or line break; formulas defused. */
export function csvCell(value: unknown): string {
  let cell = text(value);
  if (FORMULA_START.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** The whole CSV, line by line: the BOM and the header, then one line per row as `rows` yields them. */
export async function* csvLines(header: string[], rows: AsyncIterable<unknown[]>): AsyncGenerator<string> {
  yield UTF8_BOM + csvRow(header);
  for await (const values of rows) yield csvRow(values);
}

/** How a CSV cell shows a value (a multiselect's options joined by "; "); the xlsx writer's text cells agree. */
export const cellText = text;
