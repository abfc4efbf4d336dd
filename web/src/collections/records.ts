/** The collection endpoints, and the mapping between records and what the form fields hold. */
import { accountPath, query, request, type ResultInfo } from '../api/client';
import type { CollectionDef, FieldDef } from './collections';

/** A record id: an integer, or a uuid when the server runs with MAILWARDEN_API_IDS=uuid. */
export type RecordId = number | string;

export type ApiRecord = Record<string, unknown> & { id: RecordId };

export interface ListParameters {
  page: number;
  per_page: number;
  order?: string;
  direction?: 'asc' | 'desc';
  search?: string;
  filters: Record<string, string>;
}

function collectionPath(account: string, collection: CollectionDef, rest = ''): string {
  return accountPath(account, `/email-security/settings/${collection.name}${rest}`);
}

export async function listRecords(account: string, collection: CollectionDef, parameters: ListParameters) {
  const { filters, ...rest } = parameters;
  const envelope = await request<ApiRecord[]>('GET', collectionPath(account, collection, query({ ...rest, ...filters })));
  return { records: envelope.result, info: envelope.result_info as ResultInfo };
}

export async function getRecord(account: string, collection: CollectionDef, id: RecordId): Promise<ApiRecord> {
  return (await request<ApiRecord>('GET', collectionPath(account, collection, `/${id}`))).result;
}

export async function saveRecord(account: string, collection: CollectionDef, id: RecordId | null, body: Record<string, unknown>) {
  if (id === null) return (await request<ApiRecord>('POST', collectionPath(account, collection), body)).result;
  return (await request<ApiRecord>('PATCH', collectionPath(account, collection, `/${id}`), body)).result;
}

export async function deleteRecords(account: string, collection: CollectionDef, ids: RecordId[]): Promise<void> {
  const references = ids.map((id) => ({ id }));
  if (ids.length === 1) await request('DELETE', collectionPath(account, collection, `/${ids[0]}`));
  else if (collection.multiDelete === 'batch')
    // The full batch endpoint requires all four arrays, even when three are empty.
    await request('POST', collectionPath(account, collection, '/batch'), { deletes: references, patches: [], puts: [], posts: [] });
  else if (collection.multiDelete === 'bulk') await request('DELETE', collectionPath(account, collection), references);
  else throw new Error(`${collection.title} cannot delete several records at once`);
}

/** What a form field holds: text for text, number and lines; a flag; a list of choices. */
export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;

export function formValues(fields: FieldDef[], record: ApiRecord | null): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = record?.[field.name];
    if (field.kind === 'checkbox') values[field.name] = value === true;
    else if (field.kind === 'choices') values[field.name] = Array.isArray(value) ? (value as string[]) : [];
    else if (field.kind === 'lines') values[field.name] = Array.isArray(value) ? (value as string[]).join('\n') : '';
    else if (field.kind === 'select' && !field.optional && value == null) values[field.name] = field.options?.[0] ?? '';
    else values[field.name] = value == null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  }
  return values;
}

function apiValue(field: FieldDef, value: FormValue): unknown {
  if (field.kind === 'lines') {
    return String(value)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  }
  if (field.kind === 'number') return value === '' ? null : Number(value);
  if (field.kind === 'text' || field.kind === 'select') return value === '' ? null : value;
  return value;
}

/**
 * The request body: on create every field that holds something (the server fills in the rest), on
 * edit only the fields that changed (a PATCH is partial; an emptied field is sent as null).
 */
export function requestBody(fields: FieldDef[], values: FormValues, original: ApiRecord | null): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = apiValue(field, values[field.name]);
    if (original) {
      const before = apiValue(field, formValues([field], original)[field.name]);
      if (JSON.stringify(before) !== JSON.stringify(value)) body[field.name] = value;
    } else if (value !== null && !(field.kind === 'choices' && (value as string[]).length === 0)) {
      body[field.name] = value;
    }
  }
  return body;
}
