/**
 * Import sources: an export document (JSON) or a dashboard CSV file, read into rows that know where
 * they are in the file, so a bad row is reported at its pointer (`/allow_policies/3/pattern`,
 * `/lines/17/Pattern Type`).
 */
import { validationError, type FieldError } from '../http/errors.js';
import type { Values } from '../resources/definition.js';
import { COLLECTION_FORMATS, COLLECTION_NAMES } from './collections.js';
import { linePointer, readCsv } from './csv.js';
import type { ImportSource, SourceRow } from './importer.js';

const isObject = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

function rowsOf(items: unknown[], base: string, errors: FieldError[]): SourceRow[] {
  const rows: SourceRow[] = [];
  items.forEach((item, index) => {
    const at = `${base}/${index}`;
    if (!isObject(item)) errors.push({ pointer: at, message: 'each setting must be an object' });
    else rows.push({ body: item, pointer: (field) => (field === undefined ? at : `${at}/${field}`) });
  });
  return rows;
}

/**
 * An export document (`{"allow_policies": [...], ...}`; other keys such as `account_id` are ignored),
 * or with `resource` also a bare array of that collection's settings.
 */
export function sourceFromJson(body: unknown, resource?: string): ImportSource {
  const errors: FieldError[] = [];
  const source: ImportSource = new Map();
  if (resource !== undefined && Array.isArray(body)) {
    source.set(resource, rowsOf(body, '', errors));
  } else if (isObject(body) && Array.isArray(body.accounts)) {
    errors.push({ pointer: '/accounts', message: "a file of several accounts is for MAILWARDEN_SEED_FILE; import one account's document" });
  } else if (isObject(body)) {
    for (const name of resource === undefined ? COLLECTION_NAMES : [resource]) {
      const items = body[name];
      if (items === undefined) continue;
      if (!Array.isArray(items)) errors.push({ pointer: `/${name}`, message: `${name} must be an array` });
      else source.set(name, rowsOf(items, `/${name}`, errors));
    }
  } else {
    errors.push({ pointer: '', message: 'the body must be an export document (an object of collections) or, with resource, an array' });
  }
  if (errors.length > 0) throw validationError(errors.slice(0, 100));
  return source;
}

/** A dashboard CSV file of one collection. */
export function sourceFromCsv(text: string, resource: string): ImportSource {
  const format = COLLECTION_FORMATS[resource];
  const errors: FieldError[] = [];
  const rows = readCsv(text, format, errors);
  if (errors.length > 0) throw validationError(errors.slice(0, 100));
  const headerOf = new Map(format.columns.map((column) => [column.field, column.header]));
  return new Map([
    [
      resource,
      rows.map(({ line, body, problems }): SourceRow => ({
        body,
        problems,
        pointer: (field) => linePointer(line, field === undefined ? undefined : (headerOf.get(field) ?? field)),
      })),
    ],
  ]);
}
