import type { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { Types } from 'mongoose';
import { ApiError } from '../../src/infrastructure/http/api-error.js';
import { exportContent } from '../../src/modules/exports/export-content.js';
import { EXPORT_CONTENT_TYPES, exportFilename } from '../../src/modules/exports/export-format.js';
import { submittedRange } from '../../src/modules/exports/export-range.js';
import { csvLines, UTF8_BOM } from '../../src/modules/exports/writers/csv.js';
import { jsonArrayChunks } from '../../src/modules/exports/writers/json.js';
import { xlsxCell, xlsxStream } from '../../src/modules/exports/writers/xlsx.js';
import type { FormField } from '../../src/modules/forms/index.js';
import type { ResponseRecord } from '../../src/modules/responses/index.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
const text = async (chunks: AsyncIterable<string>) => {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
};
const bytes = async (stream: Readable) => {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(typeof part === 'string' ? Buffer.from(part) : (part as Buffer));
  return Buffer.concat(parts);
};
const readSheet = async (buffer: Buffer) => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook.worksheets[0];
};

const fields: FormField[] = [
  { key: 'name', type: 'text', label: 'Name' },
  { key: 'age', type: 'number', label: 'Age' },
  { key: 'agree', type: 'checkbox', label: 'Agree' },
  { key: 'born', type: 'date', label: 'Born' },
  { key: 'tags', type: 'multiselect', label: 'Tags', options: ['a', 'b'] },
];
const submittedAt = new Date('2026-02-03T04:05:06.000Z');
const response = (data: Record<string, unknown>): ResponseRecord =>
  ({
    _id: new Types.ObjectId(),
    tenant_id: 'acme',
    form_id: new Types.ObjectId(),
    form_version: 1,
    data,
    spam: false,
    created_at: submittedAt,
    updated_at: submittedAt,
  }) as unknown as ResponseRecord;

describe('export writers', () => {
  it('CSV starts with a UTF-8 BOM before the header, then one line per row', async () => {
    const csv = await text(csvLines(['a', 'b'], from([[1, '=1+1']])));
    expect(csv).toBe(`${UTF8_BOM}a,b\r\n1,'=1+1\r\n`);
  });

  it('JSON is one array, empty or not', async () => {
    expect(JSON.parse(await text(jsonArrayChunks(from([]))))).toEqual([]);
    expect(JSON.parse(await text(jsonArrayChunks(from([{ a: 1 }, { b: [2] }]))))).toEqual([{ a: 1 }, { b: [2] }]);
  });

  it('types xlsx cells: numbers, booleans, dates; everything else as text, never a formula', () => {
    expect(xlsxCell(3.5, { header: 'n' })).toBe(3.5);
    expect(xlsxCell(false, { header: 'b' })).toBe(false);
    expect(xlsxCell('2026-01-02', { header: 'd', format: 'date' })).toEqual(new Date('2026-01-02T00:00:00Z'));
    expect(xlsxCell('2026-01-02', { header: 't' })).toBe('2026-01-02');
    expect(xlsxCell('2026-13-45', { header: 'd', format: 'date' })).toBe('2026-13-45');
    expect(xlsxCell(['a', 'b'], { header: 'm' })).toBe('a; b');
    expect(xlsxCell({ x: 1 }, { header: 'o' })).toBe('{"x":1}');
    expect(xlsxCell(undefined, { header: 'u' })).toBeNull();
    expect(xlsxCell('bell\u0007 and NUL\u0000', { header: 's' })).toBe('bell and NUL');
    expect(xlsxCell('=HYPERLINK("http://evil")', { header: 's' })).toBe('=HYPERLINK("http://evil")');
  });

  it('writes an xlsx sheet with the CSV columns and typed cells, formulas kept as text', async () => {
    const first = response({ name: '=SUM(A1:A9)', age: 42, agree: true, born: '1990-05-17', tags: ['a', 'b'] });
    const second = response({ name: '@cmd', tags: [] });
    const sheet = await readSheet(await bytes(exportContent('xlsx', fields, from([first, second]))));
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'name',
      'age',
      'agree',
      'born',
      'tags',
      'response_id',
      'submitted_at',
    ]);
    const row = sheet.getRow(2);
    expect(row.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(1).value).toBe('=SUM(A1:A9)');
    expect(row.getCell(1).formula).toBeUndefined();
    expect([row.getCell(2).type, row.getCell(2).value]).toEqual([ExcelJS.ValueType.Number, 42]);
    expect([row.getCell(3).type, row.getCell(3).value]).toEqual([ExcelJS.ValueType.Boolean, true]);
    expect(row.getCell(4).value).toEqual(new Date('1990-05-17T00:00:00Z'));
    expect(row.getCell(5).value).toBe('a; b');
    expect(row.getCell(6).value).toBe(first._id.toHexString());
    expect(row.getCell(7).value).toEqual(submittedAt);
    expect(sheet.getRow(3).getCell(1).value).toBe('@cmd');
    expect(sheet.getRow(3).getCell(2).value).toBeNull();
    expect(sheet.rowCount).toBe(3);
  });

  it('fails the xlsx stream with the error of its rows (a time limit), and stops the rows when its reader stops', async () => {
    async function* failing(): AsyncGenerator<unknown[]> {
      yield ['one'];
      throw new Error('time limit');
    }
    await expect(bytes(xlsxStream([{ header: 'a' }], failing()))).rejects.toThrow('time limit');

    let produced = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<unknown[]> {
      try {
        for (;;) {
          produced += 1;
          yield ['x'.repeat(1_000)];
        }
      } finally {
        closed = true;
      }
    }
    const stream = xlsxStream([{ header: 'a' }], endless());
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
    expect(produced).toBeLessThan(1_000_000);
  });

  it('exports JSON as the API shows responses, and CSV with the BOM and ISO submission times', async () => {
    const one = response({ name: 'Zoë' });
    const json = JSON.parse((await bytes(exportContent('json', fields, from([one])))).toString('utf8'));
    expect(json).toEqual([
      {
        response_id: one._id.toHexString(),
        form_id: one.form_id.toHexString(),
        form_version: 1,
        data: { name: 'Zoë' },
        spam: false,
        created_at: submittedAt.toISOString(),
        updated_at: submittedAt.toISOString(),
      },
    ]);
    const csv = (await bytes(exportContent('csv', fields, from([one])))).toString('utf8');
    expect(csv).toBe(
      `${UTF8_BOM}name,age,agree,born,tags,response_id,submitted_at\r\nZoë,,,,,${one._id.toHexString()},${submittedAt.toISOString()}\r\n`,
    );
  });

  it('names and types each format for the download', () => {
    expect(exportFilename('abc', 'xlsx')).toBe('form-abc-responses.xlsx');
    expect(EXPORT_CONTENT_TYPES).toEqual({
      csv: 'text/csv; charset=utf-8',
      json: 'application/json',
      xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
  });

  it('reads from/to as a submission range: a date is a whole UTC day, to before from is refused', () => {
    expect(submittedRange()).toEqual({});
    expect(submittedRange('2026-03-01', '2026-03-31')).toEqual({
      from: new Date('2026-03-01T00:00:00.000Z'),
      to: new Date('2026-03-31T23:59:59.999Z'),
    });
    expect(submittedRange(undefined, '2026-03-31T12:00:00Z')).toEqual({ to: new Date('2026-03-31T12:00:00Z') });
    expect(submittedRange('2026-03-31T12:00:00Z', '2026-03-31')).toMatchObject({ from: expect.any(Date) });
    expect(() => submittedRange('2026-04-01', '2026-03-31')).toThrow(ApiError);
    const refusal = (() => {
      try {
        submittedRange('2026-04-01T00:00:00Z', '2026-03-31T23:00:00Z');
        return null;
      } catch (error) {
        return error as ApiError;
      }
    })();
    expect(refusal?.getResponse()).toMatchObject({
      statusCode: 400,
      error: 'validation_failed',
      details: [{ field: 'to', message: 'to must be at or after from' }],
    });
  });
});
