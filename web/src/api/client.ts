/**
 * The dashboard's only way to the server: the public API under `/client/v4` and the session endpoints
 * under `/dashboard`. Requests carry the session cookie (same origin) and `X-Mailwarden-Dashboard: 1`,
 * which the server asks for before it accepts the cookie (CSRF defence). The token secret never
 * reaches this code after sign-in: the cookie is HttpOnly.
 */

export interface ApiMessage {
  code: number;
  message: string;
  source?: { pointer: string };
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
}

export interface Envelope<T> {
  success: boolean;
  errors: ApiMessage[];
  messages: ApiMessage[];
  result: T;
  result_info?: ResultInfo;
}

/** A 4xx/5xx answer, with the envelope's errors (or one made from a non-JSON body). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiMessage[],
  ) {
    super(errors.map((error) => error.message).join('; ') || `Request failed with status ${status}`);
  }
}

let sessionLost: () => void = () => {};

/** Called when the server stops accepting the session (signed out elsewhere, token revoked, expired). */
export function onSessionLost(callback: () => void): void {
  sessionLost = callback;
}

/** Credential errors of the API: no credential (9106), unknown or revoked token (10000). */
function isCredentialFailure(status: number, errors: ApiMessage[]): boolean {
  return status === 401 || errors.some((error) => error.code === 9106 || error.code === 10000);
}

export interface RequestOptions {
  /** A body sent as is with this Content-Type instead of JSON. */
  contentType?: string;
  /** Answer the raw response (for downloads) instead of parsing an envelope. */
  raw?: boolean;
}

export async function send(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { 'X-Mailwarden-Dashboard': '1', Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'application/json';
    payload = options.contentType ? (body as BodyInit) : JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (!response.ok) {
    const errors = await errorsOf(response);
    if (isCredentialFailure(response.status, errors) && !path.startsWith('/dashboard/session')) sessionLost();
    throw new ApiError(response.status, errors);
  }
  return response;
}

async function errorsOf(response: Response): Promise<ApiMessage[]> {
  const text = await response.text();
  try {
    const envelope = JSON.parse(text) as Partial<Envelope<unknown>>;
    if (Array.isArray(envelope.errors) && envelope.errors.length > 0) return envelope.errors;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return [{ code: response.status, message: text.trim() || response.statusText || `HTTP ${response.status}` }];
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Envelope<T>> {
  const response = await send(method, path, body, options);
  if (response.status === 204) return { success: true, errors: [], messages: [], result: null as T };
  return (await response.json()) as Envelope<T>;
}

/** `/client/v4/accounts/{account}` + `rest`. */
export function accountPath(account: string, rest: string): string {
  return `/client/v4/accounts/${encodeURIComponent(account)}${rest}`;
}

/** A query string from the defined, non-empty values. */
export function query(parameters: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
