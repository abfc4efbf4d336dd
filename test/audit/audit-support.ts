/** Reading the audit trail back through the API, and checking one entry against the change it records. */
import { expect } from 'vitest';
import { request } from '../helpers/http.js';

export function auditPath(account: string, query: Record<string, string | number> = {}, prefix = '/client/v4'): string {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  const text = params.toString();
  return `${prefix}/accounts/${account}/audit_logs${text ? `?${text}` : ''}`;
}

/** Every entry of `account`, oldest first (as the bootstrap admin). */
export async function auditEntries(origin: string, account: string): Promise<any[]> {
  const response = await request(origin, 'GET', auditPath(account, { per_page: 1000, direction: 'asc' }));
  expect(response.status, response.text).toBe(200);
  return response.body.result;
}

export interface ExpectedEntry {
  account: string;
  action: 'create' | 'update' | 'delete';
  resourceType: string;
  resourceId: number;
  /** The record as the API showed it before the change (null for a create). */
  before: unknown;
  /** The record as the API returned it after the change (null for a delete). */
  after: unknown;
  token: { id: string; name: string };
}

export function expectEntry(entry: any, expected: ExpectedEntry): void {
  const context = `${expected.action} ${expected.resourceType}/${expected.resourceId}`;
  expect(entry.action?.type, context).toBe(expected.action);
  expect(entry.action?.result, context).toBe(true);
  expect(entry.resource, context).toEqual({ type: expected.resourceType, id: String(expected.resourceId) });
  expect(entry.owner, context).toEqual({ id: expected.account });
  expect(entry.oldValueJson ?? null, `${context}: oldValueJson`).toEqual(expected.before);
  expect(entry.newValueJson ?? null, `${context}: newValueJson`).toEqual(expected.after);
  // The JSON text forms say the same.
  expect(entry.oldValue === null || entry.oldValue === undefined ? null : JSON.parse(entry.oldValue), context).toEqual(expected.before);
  expect(entry.newValue === null || entry.newValue === undefined ? null : JSON.parse(entry.newValue), context).toEqual(expected.after);
  expect(entry.actor?.ip, context).toBe('127.0.0.1');
  expect(entry.metadata?.token_id, context).toBe(expected.token.id);
  expect(entry.metadata?.token_name, context).toBe(expected.token.name);
  expect(typeof entry.id, context).toBe('string');
  expect(entry.when, context).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
}
