/**
 * A client of a server speaking the Email Security settings API (Cloudflare, or another mailwarden)
 * for pull and push: credentials as the API takes them, pagination by `result_info` (a page shorter
 * than asked for does not mean the end: a server may answer fewer per page than asked), and its rate
 * limit respected (a 429 or 503 waits `Retry-After`; a `Ratelimit` header with nothing remaining waits
 * out its window; network errors back off and retry).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Values } from '../resources/definition.js';

export interface Credentials {
  token?: string;
  email?: string;
  key?: string;
}

const MAX_ATTEMPTS = 6;
const PER_PAGE = 1000;

/** `result_info` of a list answer; Cloudflare sends `total_pages`, mailwarden does not. */
interface ResultInfo {
  page?: number;
  per_page?: number;
  count?: number;
  total_count?: number;
  total_pages?: number;
}

interface Answer {
  result: unknown;
  result_info?: ResultInfo;
}

/**
 * Whether the list goes on after `page`: up to `total_pages` where the server gives it, else until
 * `total_count` records are read, else until an empty page. An empty page always ends it (the list
 * may shrink while it is read).
 */
function morePages(page: number, received: number, read: number, info: ResultInfo | undefined): boolean {
  if (received === 0) return false;
  if (typeof info?.total_pages === 'number') return page < info.total_pages;
  if (typeof info?.total_count === 'number') return read < info.total_count;
  return true;
}

export class RemoteError extends Error {}

export function createRemote(baseUrl: string, accountId: string, credentials: Credentials, progress: (text: string) => void) {
  const root = `${baseUrl.replace(/\/+$/, '')}/accounts/${accountId}/email-security/settings`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  else if (credentials.email && credentials.key)
    Object.assign(headers, { 'x-auth-email': credentials.email, 'x-auth-key': credentials.key });

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(root + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw new RemoteError(`${method} ${root}${path}: ${(error as Error).message}`);
        await delay(250 * 2 ** attempt);
        continue;
      }
      const text = await response.text();
      if ((response.status === 429 || response.status === 503) && attempt < MAX_ATTEMPTS) {
        const seconds = Number(response.headers.get('retry-after')) || 2 ** attempt;
        progress(`rate limited by the remote; waiting ${seconds}s`);
        await delay(seconds * 1000);
        continue;
      }
      let parsed: { success?: boolean; result?: unknown; result_info?: ResultInfo; errors?: { message: string }[] };
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        throw new RemoteError(`${method} ${root}${path}: ${response.status}, not a JSON answer`);
      }
      if (!response.ok || parsed.success === false) {
        const messages = (parsed.errors ?? []).map((e) => e.message).join('; ');
        throw new RemoteError(`${method} ${root}${path}: ${response.status} ${messages}`);
      }
      // Out of requests for this window: wait for it to end rather than be refused.
      const limit = /r=(\d+);\s*t=(\d+)/.exec(response.headers.get('ratelimit') ?? '');
      if (limit && Number(limit[1]) === 0) {
        progress(`the remote's rate limit is used up; waiting ${limit[2]}s`);
        await delay(Number(limit[2]) * 1000);
      }
      return parsed as Answer;
    }
  }

  return {
    /** Every record of a collection, page by page. */
    async list(collection: string): Promise<Values[]> {
      const records: Values[] = [];
      for (let page = 1; ; page++) {
        const { result, result_info: info } = await call('GET', `/${collection}?page=${page}&per_page=${PER_PAGE}`);
        const items = result as Values[];
        records.push(...items);
        progress(`${collection}: ${records.length}${info?.total_count !== undefined ? `/${info.total_count}` : ''}`);
        if (!morePages(page, items.length, records.length, info)) return records;
      }
    },
    create: (collection: string, body: Values) => call('POST', `/${collection}`, body),
    update: (collection: string, id: number, body: Values) => call('PATCH', `/${collection}/${id}`, body),
    remove: (collection: string, id: number) => call('DELETE', `/${collection}/${id}`),
    batch: (collection: string, body: Values) => call('POST', `/${collection}/batch`, body),
  };
}

export type Remote = ReturnType<typeof createRemote>;
