/** Raw HTTP helpers for what the SDK does not cover, and for asserting exact envelopes. */
import { ACCOUNT, TEST_TOKEN } from './server.js';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is, for malformed-JSON tests. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Send no credential unless `headers` has one. By default TEST_TOKEN is sent as a bearer token. */
  anonymous?: boolean;
}

const CREDENTIAL_HEADERS = ['authorization', 'x-auth-key', 'x-auth-email'];

export async function request<T = any>(
  origin: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const hasCredential = Object.keys(headers).some((name) => CREDENTIAL_HEADERS.includes(name.toLowerCase()));
  if (!hasCredential && !options.anonymous) headers.authorization = `Bearer ${TEST_TOKEN}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(origin + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** `/client/v4/accounts/<account>/email-security/settings/<resource>` */
export function settingsPath(resource: string, account = ACCOUNT, prefix = '/client/v4'): string {
  return `${prefix}/accounts/${account}/email-security/settings/${resource}`;
}
