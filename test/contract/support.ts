/** Small helpers shared by the contract suite: fresh accounts, a per-resource client, envelope checks. */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { request, settingsPath, type HttpResponse } from '../helpers/http.js';

export type Values = Record<string, unknown>;
export type Query = Record<string, string | number | boolean | (string | number)[]>;

/** A fresh, well-formed account id (32 lowercase hex), so tests never see each other's data. */
export function newAccount(): string {
  return randomBytes(16).toString('hex');
}

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface Client {
  origin: string;
  resource: string;
  account: string;
  path(suffix?: string): string;
  create(body: unknown): Promise<HttpResponse>;
  get(id: number | string): Promise<HttpResponse>;
  patch(id: number | string, body: unknown): Promise<HttpResponse>;
  remove(id: number | string): Promise<HttpResponse>;
  list(query?: Query): Promise<HttpResponse>;
  batch(body: unknown): Promise<HttpResponse>;
  /** Every record of the account, id ascending. */
  all(): Promise<any[]>;
  total(): Promise<number>;
}

export function client(origin: string, resource: string, account: string = newAccount()): Client {
  const path = (suffix = '') => settingsPath(suffix ? `${resource}/${suffix}` : resource, account);
  const c: Client = {
    origin,
    resource,
    account,
    path,
    create: (body) => request(origin, 'POST', path(), { body }),
    get: (id) => request(origin, 'GET', path(String(id))),
    patch: (id, body) => request(origin, 'PATCH', path(String(id)), { body }),
    remove: (id) => request(origin, 'DELETE', path(String(id))),
    list: (query = {}) => request(origin, 'GET', path() + queryString(query)),
    batch: (body) => request(origin, 'POST', path('batch'), { body }),
    async all() {
      const response = await c.list({ per_page: 1000 });
      expect(response.status).toBe(200);
      return response.body.result;
    },
    async total() {
      const response = await c.list({ per_page: 1 });
      expect(response.status).toBe(200);
      return response.body.result_info.total_count;
    },
  };
  return c;
}

/** Creates each body in order (expecting 201) and returns the created records, index-aligned. */
export async function seed(c: Client, bodies: Values[]): Promise<any[]> {
  const records: any[] = [];
  for (const body of bodies) {
    const response = await c.create(body);
    expect(response.status, `seeding ${JSON.stringify(body)}: ${response.text}`).toBe(201);
    records.push(response.body.result);
  }
  return records;
}

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function expectTimestamp(value: unknown): void {
  expect(typeof value).toBe('string');
  expect(value as string).toMatch(ISO_TIMESTAMP);
  expect(Number.isNaN(Date.parse(value as string))).toBe(false);
}

/** `{success: true, errors: [], messages: [], result}` (plus `result_info` only where `list`). */
export function expectSuccess(response: HttpResponse, status: number, { list = false } = {}): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type') ?? '').toContain('application/json');
  const expectedKeys = list ? ['errors', 'messages', 'result', 'result_info', 'success'] : ['errors', 'messages', 'result', 'success'];
  expect(Object.keys(response.body).sort()).toEqual(expectedKeys);
  expect(response.body.success).toBe(true);
  expect(response.body.errors).toEqual([]);
  expect(response.body.messages).toEqual([]);
}

/** An error envelope with `status`, every error carrying `code`, and (when given) exactly these pointers. */
export function expectError(response: HttpResponse, status: number, code: number, pointers?: string[]): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body.success).toBe(false);
  expect(response.body.result).toBeNull();
  expect(response.body.messages).toEqual([]);
  expect(Array.isArray(response.body.errors)).toBe(true);
  expect(response.body.errors.length).toBeGreaterThan(0);
  for (const error of response.body.errors) {
    expect(error.code).toBe(code);
    expect(typeof error.message).toBe('string');
  }
  if (pointers) {
    expect(response.body.errors.map((e: any) => e.source?.pointer)).toEqual(pointers);
  }
}

export function omit(body: Values, ...keys: string[]): Values {
  const copy = { ...body };
  for (const key of keys) delete copy[key];
  return copy;
}

export const META_KEYS = ['id', 'created_at', 'last_modified', 'modified_at'];

/** The record's fields without id and timestamps. */
export function withoutMeta(record: Values): Values {
  return omit(record, ...META_KEYS);
}

export function ids(records: { id: number }[]): number[] {
  return records.map((r) => r.id);
}
