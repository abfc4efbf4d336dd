/**
 * A mixed write workload for the reliability tests (concurrency soak, repeated kill -9): writers make
 * creates, patches, deletes, batches and bulk creates over three collections, and a ledger keeps what
 * the server acknowledged. Each writer only changes the records it created, one request at a time, so
 * the state every acknowledged write leaves is known exactly; at most one request per writer can be
 * in flight when a server dies (`Writer.inFlight`), and `reconcile` checks it was applied whole or not
 * at all.
 */
import { expect } from 'vitest';
import { request, settingsPath, type HttpResponse } from './http.js';

export const COLLECTIONS = ['allow_policies', 'block_senders', 'trusted_domains'] as const;
export type Collection = (typeof COLLECTIONS)[number];

/** A record as the server returned it. */
export type Row = Record<string, unknown> & { id: number; comments: string | null; pattern: string };

/** A create body whose `comments` and `pattern` carry `tag`, unique per record. */
export function createBody(collection: Collection, tag: string): Record<string, unknown> {
  switch (collection) {
    case 'allow_policies':
      return {
        is_acceptable_sender: false,
        is_exempt_recipient: false,
        is_regex: false,
        is_trusted_sender: true,
        pattern: `${tag}@soak.example`,
        pattern_type: 'EMAIL',
        verify_sender: true,
        comments: tag,
      };
    case 'block_senders':
      return { is_regex: false, pattern: `${tag}@soak.example`, pattern_type: 'EMAIL', comments: tag };
    case 'trusted_domains':
      return { is_recent: true, is_similarity: false, is_regex: false, pattern: `${tag}.soak.example`, comments: tag };
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be repeated with its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const key = (account: string, collection: Collection, id: number) => `${account}/${collection}/${id}`;

/** What a request changes, for checking a request whose answer never came. */
interface Change {
  account: string;
  collection: Collection;
  /** Tags of the records it creates. */
  creates: string[];
  /** Existing records it patches (to these comments) or deletes (null). */
  touches: { id: number; comments: string | null }[];
}

/** The acknowledged state: every live record, and how many audit entries each acknowledged request made. */
export class Ledger {
  readonly live = new Map<string, { account: string; collection: Collection; row: Row }>();
  /** request id → [collection, action type] of each change it made. */
  readonly audited = new Map<string, [string, string][]>();
  /** Answers seen, by status. */
  readonly statuses = new Map<number, number>();
  /** Changes made by requests whose answer never came (a crash), so whose request ids are unknown. */
  unanswered = 0;
  /** 5xx answers other than the 503 envelope (code 1007, Retry-After). */
  readonly dishonest: string[] = [];

  set(account: string, collection: Collection, row: Row): void {
    this.live.set(key(account, collection, row.id), { account, collection, row });
  }

  remove(account: string, collection: Collection, id: number): void {
    this.live.delete(key(account, collection, id));
  }

  rowsOf(account: string, collection: Collection): Row[] {
    return [...this.live.values()].filter((e) => e.account === account && e.collection === collection).map((e) => e.row);
  }

  audit(response: HttpResponse, changes: [string, string][]): void {
    const ray = response.headers.get('cf-ray') ?? '';
    this.audited.set(ray.replace(/-MW$/, ''), changes);
  }
}

export interface WriterOptions {
  origins: string[];
  accounts: string[];
  ledger: Ledger;
  seed: number;
}

/** One client: a loop of requests, each sent after the previous one was answered. */
export class Writer {
  /** The request sent and not yet answered (what a crash may or may not have applied). */
  inFlight: Change | undefined;
  private readonly next: () => number;
  private serial = 0;
  private readonly mine: { account: string; collection: Collection; id: number }[] = [];

  constructor(
    readonly index: number,
    private readonly options: WriterOptions,
  ) {
    this.next = random(options.seed * 1000 + index);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  private tag(): string {
    return `w${this.index}-${this.options.seed}-${this.serial++}`;
  }

  /** Sends one request of a random kind and books its answer; resolves false when the request failed without an answer. */
  async step(): Promise<boolean> {
    const { ledger } = this.options;
    const origin = this.pick(this.options.origins);
    const roll = this.next();
    const own = this.mine.length > 0 ? this.mine.splice(Math.floor(this.next() * this.mine.length), 1)[0] : undefined;
    let change: Change;
    let send: () => Promise<HttpResponse>;
    let book: (response: HttpResponse) => void;

    if (own && roll < 0.25) {
      const comments = this.tag();
      const path = settingsPath(`${own.collection}/${own.id}`, own.account);
      change = { account: own.account, collection: own.collection, creates: [], touches: [{ id: own.id, comments }] };
      send = () => request(origin, 'PATCH', path, { body: { comments } });
      book = (response) => {
        ledger.set(own.account, own.collection, response.body.result);
        ledger.audit(response, [[own.collection, 'update']]);
        this.mine.push(own);
      };
    } else if (own && roll < 0.4) {
      change = { account: own.account, collection: own.collection, creates: [], touches: [{ id: own.id, comments: null }] };
      send = () => request(origin, 'DELETE', settingsPath(`${own.collection}/${own.id}`, own.account));
      book = (response) => {
        ledger.remove(own.account, own.collection, own.id);
        ledger.audit(response, [[own.collection, 'delete']]);
      };
    } else if (roll < 0.55) {
      // A batch on the collection of `own` (or a random one): delete it or patch it, and create two.
      const account = own?.account ?? this.pick(this.options.accounts);
      const collection = own?.collection ?? this.pick(COLLECTIONS);
      const tags = [this.tag(), this.tag()];
      const patch = own && this.next() < 0.5 ? this.tag() : undefined;
      const deletes = own && patch === undefined ? [{ id: own.id }] : [];
      const patches = own && patch !== undefined ? [{ id: own.id, comments: patch }] : [];
      change = { account, collection, creates: tags, touches: own ? [{ id: own.id, comments: patch ?? null }] : [] };
      const body = { deletes, patches, puts: [], posts: tags.map((t) => createBody(collection, t)) };
      send = () => request(origin, 'POST', settingsPath(`${collection}/batch`, account), { body });
      book = (response) => {
        const result = response.body.result;
        if (own && patch === undefined) ledger.remove(account, collection, own.id);
        for (const row of [...result.patches, ...result.posts] as Row[]) ledger.set(account, collection, row);
        if (own && patch !== undefined) this.mine.push(own);
        for (const row of result.posts as Row[]) this.mine.push({ account, collection, id: row.id });
        ledger.audit(response, [
          ...deletes.map((): [string, string] => [collection, 'delete']),
          ...patches.map((): [string, string] => [collection, 'update']),
          ...tags.map((): [string, string] => [collection, 'create']),
        ]);
      };
    } else if (roll < 0.62) {
      // A bulk create (trusted domains take an array).
      if (own) this.mine.push(own);
      const account = this.pick(this.options.accounts);
      const tags = [this.tag(), this.tag(), this.tag()];
      change = { account, collection: 'trusted_domains', creates: tags, touches: [] };
      const body = tags.map((t) => createBody('trusted_domains', t));
      send = () => request(origin, 'POST', settingsPath('trusted_domains', account), { body });
      book = (response) => {
        for (const row of response.body.result as Row[]) {
          ledger.set(account, 'trusted_domains', row);
          this.mine.push({ account, collection: 'trusted_domains', id: row.id });
        }
        ledger.audit(
          response,
          tags.map(() => ['trusted_domains', 'create']),
        );
      };
    } else {
      if (own) this.mine.push(own);
      const account = this.pick(this.options.accounts);
      const collection = this.pick(COLLECTIONS);
      const tag = this.tag();
      change = { account, collection, creates: [tag], touches: [] };
      send = () => request(origin, 'POST', settingsPath(collection, account), { body: createBody(collection, tag) });
      book = (response) => {
        ledger.set(account, collection, response.body.result);
        this.mine.push({ account, collection, id: response.body.result.id });
        ledger.audit(response, [[collection, 'create']]);
      };
    }

    this.inFlight = change;
    let response: HttpResponse;
    try {
      response = await send();
    } catch {
      return false; // no answer: the change stays in flight
    }
    this.inFlight = undefined;
    ledger.statuses.set(response.status, (ledger.statuses.get(response.status) ?? 0) + 1);
    if (response.status === 200 || response.status === 201) {
      book(response);
      return true;
    }
    if (response.status === 503 && response.body?.errors?.[0]?.code === 1007 && response.headers.get('retry-after')) {
      // An honest "not now": nothing was applied; the records it would have touched are left alone from now on.
      return true;
    }
    ledger.dishonest.push(`${response.status} ${response.text.slice(0, 300)}`);
    if (own && !this.mine.includes(own)) this.mine.push(own);
    return true;
  }
}

/** Every record of a collection, page by page, checking that each page reports the same total_count and that it adds up. */
export async function listEveryPage(origin: string, account: string, collection: Collection, query = ''): Promise<Row[]> {
  const rows: Row[] = [];
  const totals = new Set<number>();
  for (let page = 1; page <= 1000; page++) {
    const response = await request(origin, 'GET', `${settingsPath(collection, account)}?per_page=50&page=${page}${query}`);
    expect(response.status, response.text).toBe(200);
    totals.add(response.body.result_info.total_count);
    rows.push(...response.body.result);
    if (response.body.result.length < 50) break;
  }
  expect([...totals], `${collection}${query}: total_count is the same on every page`).toHaveLength(1);
  expect(rows.length, `${collection}${query}: total_count equals the records the pages return`).toBe([...totals][0]);
  expect(new Set(rows.map((r) => r.id)).size, `${collection}${query}: no record on two pages`).toBe(rows.length);
  return rows;
}

/** Asserts the server holds exactly the ledger's records, field for field, with consistent pages. */
export async function expectLedger(origin: string, ledger: Ledger, accounts: string[]): Promise<void> {
  for (const account of accounts) {
    for (const collection of COLLECTIONS) {
      const rows = await listEveryPage(origin, account, collection);
      const byId = (list: Row[]) => [...list].sort((a, b) => a.id - b.id);
      expect(byId(rows), `${collection} of ${account}: every acknowledged write, and nothing deleted`).toEqual(
        byId(ledger.rowsOf(account, collection)),
      );
    }
  }
}

/**
 * After a crash: each writer's request in flight was applied whole or not at all (batches and bulk
 * creates included); the ledger then takes what the server holds for them. Records no request in
 * flight touched must be exactly as acknowledged (checked by `expectLedger` afterwards).
 */
export async function reconcile(origin: string, ledger: Ledger, writers: Writer[]): Promise<number> {
  let applied = 0;
  for (const writer of writers) {
    const change = writer.inFlight;
    writer.inFlight = undefined;
    if (!change) continue;
    const rows = await listEveryPage(origin, change.account, change.collection);
    const byTag = new Map(rows.map((r) => [r.comments, r]));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const created = change.creates.map((tag) => byTag.get(tag));
    const touched = change.touches.map((t) => byId.get(t.id));
    const parts = [
      ...created.map((row) => row !== undefined),
      ...change.touches.map((t, i) => (t.comments === null ? touched[i] === undefined : touched[i]?.comments === t.comments)),
    ];
    expect(new Set(parts).size, `request in flight applied whole or not at all: ${JSON.stringify(change)}`).toBeLessThanOrEqual(1);
    if (!parts[0]) continue;
    applied++;
    ledger.unanswered += parts.length;
    for (const [i, t] of change.touches.entries()) {
      if (t.comments === null) ledger.remove(change.account, change.collection, t.id);
      else ledger.set(change.account, change.collection, touched[i]!);
    }
    for (const row of created) {
      expect(row!.pattern).toContain(row!.comments);
      ledger.set(change.account, change.collection, row!);
    }
  }
  return applied;
}

/** Asserts the audit log holds exactly one entry per acknowledged change, each naming its request, collection and action. */
export async function expectOneAuditEntryPerChange(origin: string, ledger: Ledger, accounts: string[]): Promise<void> {
  const found = new Map<string, [string, string][]>();
  let total = 0;
  for (const account of accounts) {
    for (let page = 1; ; page++) {
      const response = await request(origin, 'GET', `/client/v4/accounts/${account}/audit_logs?per_page=1000&page=${page}`);
      expect(response.status, response.text).toBe(200);
      for (const entry of response.body.result) {
        const requestId = entry.metadata.request_id;
        found.set(requestId, [...(found.get(requestId) ?? []), [entry.resource.type, entry.action.type]]);
      }
      total += response.body.result.length;
      if (response.body.result.length < 1000) break;
    }
  }
  const sorted = (changes: [string, string][] = []) => changes.map((c) => c.join(' ')).sort();
  const missing: string[] = [];
  for (const [requestId, changes] of ledger.audited) {
    if (JSON.stringify(sorted(found.get(requestId))) !== JSON.stringify(sorted(changes))) {
      missing.push(`${requestId}: expected ${sorted(changes).join(', ')}; found ${sorted(found.get(requestId)).join(', ') || 'none'}`);
    }
  }
  expect(missing.slice(0, 20), 'one audit entry per acknowledged change').toEqual([]);
  const expected = [...ledger.audited.values()].reduce((sum, changes) => sum + changes.length, 0);
  expect(total, 'no audit entry without a change').toBe(expected + ledger.unanswered);
}
