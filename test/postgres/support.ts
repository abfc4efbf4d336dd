/**
 * Shared pieces of the PostgreSQL-only tests: a TCP proxy that can cut or stall the path to the
 * database, a child-process server that needs no "listening" log line (for LOG_LEVEL=warn), admin
 * queries, and audit-log reading.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { request, type HttpResponse } from '../helpers/http.js';
import { POSTGRES_ADMIN_URL } from '../helpers/postgres.js';
import { TEST_TOKEN, type ChildServer } from '../helpers/server.js';

// ---------------------------------------------------------------------------------------------------
// TCP proxy in front of PostgreSQL
// ---------------------------------------------------------------------------------------------------

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** Chunks held back while the proxy is frozen, in arrival order. */
  held: [net.Socket, Buffer][];
}

/**
 * Forwards 127.0.0.1:<port> to the PostgreSQL server. `cut()` destroys every open connection and stops
 * accepting (connections are refused); `restore()` listens again on the SAME port. `freeze()` keeps
 * every connection open but stops moving bytes (a silent network partition); `thaw()` delivers what
 * was held and forwards again.
 */
export class TcpProxy {
  port = 0;
  private server: net.Server | undefined;
  private readonly pairs = new Set<Pair>();
  private frozen = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forPostgres(): TcpProxy {
    const url = new URL(POSTGRES_ADMIN_URL);
    return new TcpProxy(url.hostname, Number(url.port || 5432));
  }

  /** Listens (first time on an ephemeral port, afterwards on the same port again). */
  async start(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen({ host: '127.0.0.1', port: this.port }, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Destroys every open connection and stops accepting new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((done) => server.close(() => done())) : Promise.resolve();
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    await closed;
  }

  /** Accepts and forwards again, on the same port as before. */
  async restore(): Promise<void> {
    this.frozen = false;
    if (!this.server) await this.start();
  }

  /** Keeps connections open (and accepts new ones) but forwards nothing. */
  freeze(): void {
    this.frozen = true;
  }

  /** Delivers everything held while frozen and forwards again. */
  thaw(): void {
    this.frozen = false;
    for (const pair of this.pairs) {
      for (const [to, chunk] of pair.held) if (!to.destroyed) to.write(chunk);
      pair.held = [];
    }
  }

  /** Open client connections (the pool's sockets, as seen by the proxy). */
  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
    const pair: Pair = { client, upstream, held: [] };
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (this.frozen) pair.held.push([to, chunk]);
        else if (!to.destroyed) to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}

/** The same database URL, reached through 127.0.0.1:<port>. */
export function throughPort(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

// ---------------------------------------------------------------------------------------------------
// Child-process server without relying on the "Server listening" log line
// ---------------------------------------------------------------------------------------------------

const SERVER_ENTRY = resolve(import.meta.dirname, '../../dist/server.js');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen({ host: '127.0.0.1', port: 0 }, () => done()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * Starts `dist/server.js` on a chosen free port and resolves once `/healthz` answers, so it works at any
 * LOG_LEVEL (at `warn` the server prints no "listening" line for `spawnServer` to wait for).
 */
export async function spawnOnPort(env: Record<string, string>): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), MAILWARDEN_BOOTSTRAP_TOKEN: TEST_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const server: ChildServer = {
    origin: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before listening:\n${output}`);
    try {
      const response = await fetch(`${server.origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await server.stop('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

// ---------------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** A fresh 32-hex account id, so each scenario's records, counts and audit entries are its own. */
export function freshAccount(): string {
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

/** Runs `sqlText` on the admin connection (database `test`), e.g. against pg_stat_activity. */
export async function adminQuery<T extends pg.QueryResultRow = any>(sqlText: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query<T>(sqlText, values)).rows;
  } finally {
    await client.end();
  }
}

/** Runs `sqlText` inside the given database. */
export async function databaseQuery<T extends pg.QueryResultRow = any>(
  databaseUrl: string,
  sqlText: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query<T>(sqlText, values)).rows;
  } finally {
    await client.end();
  }
}

/** The request id a response carries (`cf-ray: <id>-MW`); audit entries name it in metadata.request_id. */
export function requestIdOf(response: HttpResponse): string {
  const ray = response.headers.get('cf-ray') ?? '';
  expect(ray, 'cf-ray header').toMatch(/-MW$/);
  return ray.replace(/-MW$/, '');
}

export interface AuditEntry {
  id: string;
  action: { result: boolean; type: string };
  metadata: { request_id: string | null };
  resource: { id: string; type: string };
  newValueJson: any;
  oldValueJson: any;
  when: string;
}

/** Every audit entry of `account`, oldest first. */
export async function auditEntries(origin: string, account: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (let page = 1; page <= 50; page++) {
    const response = await request(origin, 'GET', `/client/v4/accounts/${account}/audit_logs?per_page=1000&direction=asc&page=${page}`);
    expect(response.status, response.text).toBe(200);
    entries.push(...(response.body.result as AuditEntry[]));
    if (entries.length >= response.body.result_info.total_count || response.body.result.length === 0) {
      expect(entries).toHaveLength(response.body.result_info.total_count);
      return entries;
    }
  }
  throw new Error('audit log has more pages than expected');
}

/** Audit entries grouped by the request that made them. */
export function byRequest(entries: AuditEntry[]): Map<string, AuditEntry[]> {
  const map = new Map<string, AuditEntry[]>();
  for (const entry of entries) {
    const key = entry.metadata.request_id ?? '';
    map.set(key, [...(map.get(key) ?? []), entry]);
  }
  return map;
}

/** Every record of a collection (bounded number of pages), with the list's own total_count. */
export async function listAll(origin: string, path: string, query = ''): Promise<{ records: any[]; total: number }> {
  const records: any[] = [];
  let total = -1;
  for (let page = 1; page <= 20; page++) {
    const separator = query ? '&' : '';
    const response = await request(origin, 'GET', `${path}?${query}${separator}per_page=1000&page=${page}`);
    expect(response.status, response.text).toBe(200);
    total = response.body.result_info.total_count;
    records.push(...response.body.result);
    if (response.body.result.length < 1000) break;
  }
  return { records, total };
}

/** The 503 envelope of an unreachable database (code 1007) with a Retry-After header. */
export function expectUnavailable(response: HttpResponse, what: string): void {
  expect(response.status, `${what}: ${response.text}`).toBe(503);
  expect(response.body, what).toMatchObject({ success: false, result: null });
  expect(response.body.errors, what).toEqual([expect.objectContaining({ code: 1007, message: expect.any(String) })]);
  const retryAfter = response.headers.get('retry-after');
  expect(retryAfter, `${what}: Retry-After`).not.toBeNull();
  expect(Number(retryAfter), `${what}: Retry-After is a number of seconds`).toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------------------------------
// Evaluations on a replica
// ---------------------------------------------------------------------------------------------------

/** A message from `boss@evil.example`: blocked by a DOMAIN `evil.example` blocked sender. */
const BOSS_MESSAGE = { from: 'boss@evil.example', recipients: ['ceo@corp.example'] };

/** The disposition the server at `origin` gives `BOSS_MESSAGE` in `account`. */
export async function dispositionOn(origin: string, account: string): Promise<string> {
  const response = await request(origin, 'POST', `/client/v4/accounts/${account}/email-security/evaluate`, {
    body: { messages: [BOSS_MESSAGE] },
  });
  expect(response.status).toBe(200);
  return response.body.result[0].disposition;
}

/**
 * Polls the server at `origin` until it gives `BOSS_MESSAGE` the `expected` disposition (change
 * notifications arrive asynchronously), at most 5 s; the milliseconds it took.
 */
export async function eventually(origin: string, account: string, expected: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 5000) {
    if ((await dispositionOn(origin, account)) === expected) return Date.now() - started;
    await sleep(20);
  }
  throw new Error(`replica never reported ${expected}`);
}
