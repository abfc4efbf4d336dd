/** Shared pieces of the SDK-compatibility tests: an official SDK client pointed at a test server. */
import Cloudflare from 'cloudflare';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { TEST_TOKEN } from '../helpers/server.js';

export { Cloudflare };

export interface RecordedRequest {
  method: string;
  url: URL;
  body: string | undefined;
}

export interface SdkClient {
  client: Cloudflare;
  /** Every request the SDK sent, in order (the real fetch still runs). */
  requests: RecordedRequest[];
}

/**
 * A client configured exactly as a user would configure it, plus a fetch wrapper that only records
 * what the SDK sends (method, URL, body) so tests can assert the SDK's own query/body encoding.
 */
export function sdkClient(origin: string, base = '/client/v4'): SdkClient {
  const requests: RecordedRequest[] = [];
  const recordingFetch = async (input: any, init?: any) => {
    requests.push({
      method: String(init?.method ?? 'GET').toUpperCase(),
      url: new URL(String(input)),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return fetch(input, init);
  };
  const client = new Cloudflare({
    apiToken: TEST_TOKEN,
    baseURL: origin + base,
    maxRetries: 0,
    fetch: recordingFetch as any,
  });
  return { client, requests };
}

/** Drains the SDK's auto-paginating iterator. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Runs `action` and returns what it threw; fails the test when it does not throw. */
export async function thrown(action: () => Promise<unknown>): Promise<any> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the SDK call to throw');
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The record has exactly these keys (spec: every field the seed lists, null where unset). */
export function expectExactKeys(record: object, keys: readonly string[]): void {
  expect(Object.keys(record).sort()).toEqual([...keys].sort());
}

/** id is a positive int32 number; timestamps are RFC 3339 UTC strings, last_modified ≥ created_at. */
export function expectRecordMeta(record: any): void {
  expect(typeof record.id).toBe('number');
  expect(Number.isInteger(record.id)).toBe(true);
  expect(record.id).toBeGreaterThan(0);
  expect(record.id).toBeLessThanOrEqual(2147483647);
  expect(record.created_at).toMatch(ISO_UTC);
  expect(record.last_modified).toMatch(ISO_UTC);
  expect(Date.parse(record.last_modified)).toBeGreaterThanOrEqual(Date.parse(record.created_at));
}

/** Error thrown by the SDK for a 4xx: status, SDK class, and the API error codes it carries. */
export function expectSdkError(error: any, status: number, ErrorClass: any, code: number): void {
  expect(error).toBeInstanceOf(Cloudflare.APIError);
  expect(error).toBeInstanceOf(ErrorClass);
  expect(error.status).toBe(status);
  expect(Array.isArray(error.errors)).toBe(true);
  expect(error.errors[0].code).toBe(code);
  // The SDK keeps the whole error envelope as `error`.
  expect(error.error).toMatchObject({ success: false, result: null });
  expect(error.error.errors[0].code).toBe(code);
}

export const FIELDS = {
  allowPolicy: [
    'id',
    'created_at',
    'last_modified',
    'comments',
    'is_acceptable_sender',
    'is_exempt_recipient',
    'is_trusted_sender',
    'verify_sender',
    'is_regex',
    'pattern',
    'pattern_type',
    'is_sender',
    'is_recipient',
    'is_spoof',
  ],
  blockedSender: ['id', 'created_at', 'last_modified', 'comments', 'is_regex', 'pattern', 'pattern_type'],
  trustedDomain: ['id', 'created_at', 'last_modified', 'comments', 'is_recent', 'is_similarity', 'is_regex', 'pattern'],
  displayName: [
    'id',
    'created_at',
    'last_modified',
    'name',
    'email',
    'is_email_regex',
    'comments',
    'directory_id',
    'directory_node_id',
    'external_directory_node_id',
    'provenance',
  ],
  domain: [
    'id',
    'created_at',
    'last_modified',
    'domain',
    'allowed_delivery_modes',
    'drop_dispositions',
    'ip_restrictions',
    'lookback_hops',
    'regions',
    'transport',
    'folder',
    'integration_id',
    'require_tls_inbound',
    'require_tls_outbound',
    'authorization',
    'dmarc_status',
    'spf_status',
    'emails_processed',
    'inbox_provider',
    'o365_tenant_id',
  ],
} as const;

/** A fresh, well-formed account id: accounts are namespaces, so each test gets an empty one. */
export function freshAccount(): string {
  return randomBytes(16).toString('hex');
}
