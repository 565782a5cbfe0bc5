import { PassThrough, type Readable } from 'node:stream';
import { cellText } from './csv.js';

/** A column of the sheet; `date` columns hold calendar dates or instants, shown with a date format. */
export interface XlsxColumn {
  header: string;
  format?: 'date' | 'datetime';
}

export type XlsxCell = string | number | boolean | Date | null;

/** Characters XML 1.0 cannot hold: a cell with one would make the whole file unreadable. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER_FORMATS = { date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm:ss' } as const;

/**
 * A response's value as a typed cell: numbers, booleans and dates as such, the rest as text the way
 * the CSV shows it. Text is always a string cell, never a formula: `=HYPERLINK(…)` stays text (the
 * writer is never given a formula object), so no leading quote is needed as in the CSV.
 */
export function xlsxCell(value: unknown, column: XlsxColumn): XlsxCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (column.format === 'date' && typeof value === 'string' && CALENDAR_DATE.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(day.getTime())) return day;
  }
  return cellText(value).replace(NOT_XML, '');
}

/**
 * The sheet as a stream of xlsx bytes, written by exceljs's streaming writer: each row is committed
 * (written out and forgotten) as `rows` yields it, strings are inline (no shared-strings table held
 * in memory), and the writer waits while the reader is behind, so memory stays flat however many
 * rows. exceljs is loaded here, on the first xlsx export, not with the API.
 * An error of `rows` (a time limit) destroys the stream with it; a reader that stops stops the rows.
 */
export function xlsxStream(columns: XlsxColumn[], rows: AsyncIterable<unknown[]>): Readable {
  const output = new PassThrough();
  writeSheet(columns, rows, output).catch((error: unknown) => output.destroy(error as Error));
  return output;
}

async function writeSheet(columns: XlsxColumn[], rows: AsyncIterable<unknown[]>, output: PassThrough): Promise<void> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet('Responses');
  sheet.columns = columns.map((column) => ({
    header: column.header,
    width: column.format ? 20 : Math.min(Math.max(column.header.length + 2, 12), 60),
    ...(column.format ? { style: { numFmt: NUMBER_FORMATS[column.format] } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  for await (const values of rows) {
    sheet.addRow(columns.map((column, index) => xlsxCell(values[index], column))).commit();
    if (output.destroyed) return;
    if (output.writableNeedDrain) await drainedOrClosed(output);
  }
  sheet.commit();
  await workbook.commit();
}

function drainedOrClosed(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done);
      resolve();
    };
    stream.once('drain', done).once('close', done);
  });
}
