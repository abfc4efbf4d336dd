/**
 * Settings as CSV in the dashboard's upload layout (columns per collection in `collections.ts`):
 * reading a file into API bodies with the line each came from, and writing records as rows. Header
 * names are matched case-insensitively; a BOM, CRLF line ends (read as LF inside cells), quoted cells with commas, quotes and line
 * breaks are all read; unknown columns are ignored. Booleans read `true/false`, `yes/no`, `1/0` (empty:
 * false); lists are separated by commas, semicolons or spaces.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify';
import type { Readable } from 'node:stream';
import type { FieldError } from '../http/errors.js';
import type { Values } from '../resources/definition.js';
import type { CollectionFormat, CsvColumn } from './collections.js';
import { textOf } from './text-of.js';

/** One data row as an API body, with the file line it starts on (the header is line 1). */
export interface CsvRow {
  line: number;
  body: Values;
  /** Cells that could not be read (the row is refused, with the file's other problems). */
  problems: FieldError[];
}

export const linePointer = (line: number, column?: string) => `/lines/${line}${column === undefined ? '' : `/${column}`}`;

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0', '']);

function readCell(column: CsvColumn, raw: string, line: number, errors: FieldError[]): unknown {
  const cell = raw.trim();
  if (cell === '' && column.empty !== undefined) return column.empty;
  switch (column.kind) {
    case 'text':
      return raw;
    case 'optionalText':
      return cell === '' ? undefined : raw;
    case 'upper':
      return cell.toUpperCase();
    case 'boolean':
    case 'optionalBoolean': {
      const value = cell.toLowerCase();
      if (column.kind === 'optionalBoolean' && value === '') return undefined;
      if (TRUE.has(value)) return true;
      if (FALSE.has(value)) return false;
      errors.push({ pointer: linePointer(line, column.header), message: `${column.header} must be true or false, not '${cell}'` });
      return undefined;
    }
    case 'integer':
      if (cell === '') return undefined;
      if (!/^-?\d+$/.test(cell)) {
        errors.push({ pointer: linePointer(line, column.header), message: `${column.header} must be a whole number, not '${cell}'` });
        return undefined;
      }
      return Number(cell);
    case 'list':
      return cell === '' ? undefined : cell.split(/[\s,;]+/).filter(Boolean);
  }
}

/** Reads a CSV file; problems (unreadable CSV, missing columns, bad cells) go to `errors` with their line. */
export function readCsv(text: string, format: CollectionFormat, errors: FieldError[]): CsvRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Line ends are read as LF (csv-parse miscounts lines at a CRLF inside quotes; cells keep LF).
    records = parse(text.replace(/\r\n/g, '\n'), { bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as never;
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    errors.push({ pointer: linePointer(line), message: `not readable as CSV: ${(error as Error).message}` });
    return [];
  }
  if (records.length === 0) {
    errors.push({
      pointer: linePointer(1),
      message: `the file has no header line (expected: ${format.columns.map((c) => c.header).join(', ')})`,
    });
    return [];
  }
  const header = records[0].record.map((name) => name.trim().toLowerCase());
  const positions = format.columns.map((column) => header.indexOf(column.header.toLowerCase()));
  format.columns.forEach((column, index) => {
    if (column.required && positions[index] < 0) {
      errors.push({ pointer: linePointer(1, column.header), message: `the header has no ${column.header} column` });
    }
  });
  if (errors.length > 0) return [];
  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    // info.lines is the line the record ends on; line breaks inside its cells come before that.
    const line = info.lines - record.reduce((breaks, cell) => breaks + cell.split('\n').length - 1, 0);
    const body: Values = {};
    const problems: FieldError[] = [];
    format.columns.forEach((column, index) => {
      const position = positions[index];
      if (position < 0) {
        // A flag column the file leaves out is false, as in the dashboard's template.
        if (column.kind === 'boolean') body[column.field] = false;
        return;
      }
      const value = readCell(column, record[position] ?? '', line, problems);
      if (value !== undefined) body[column.field] = value;
    });
    rows.push({ line, body, problems });
  }
  return rows;
}

function writeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return textOf(value);
}

/** Records (API form) as CSV text, streamed, header first. */
export function writeCsv(records: AsyncIterable<Values>, format: CollectionFormat): Readable {
  const stringifier = stringify({
    header: true,
    columns: format.columns.map((column) => column.header),
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
  });
  void (async () => {
    try {
      for await (const record of records) {
        const row = format.columns.map((column) => writeCell(record[column.field]));
        if (!stringifier.write(row)) await new Promise((resolve) => stringifier.once('drain', resolve));
      }
      stringifier.end();
    } catch (error) {
      stringifier.destroy(error as Error);
    }
  })();
  return stringifier;
}
