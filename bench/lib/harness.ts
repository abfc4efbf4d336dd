/**
 * Shared plumbing of the API and store benchmarks (not the policy-engine benchmark): where the
 * repository is, free loopback ports, child servers that are always stopped, PostgreSQL scratch
 * databases that are always dropped, and the small statistics both benchmarks report.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The repository root: the folder of the `mailwarden` package.json above this (source or compiled) file. */
export const ROOT = (() => {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mailwarden') {
      return directory;
    }
    directory = dirname(directory);
  }
  throw new Error('cannot find the mailwarden repository root');
})();

export const BENCH_DIR = join(ROOT, 'bench');

/** `bench/results/YYYY-MM-DD-<what>.md`: where a run's report goes unless `--output` says otherwise. */
export function datedResultFile(what: string): string {
  return join(BENCH_DIR, 'results', `${new Date().toISOString().slice(0, 10)}-${what}.md`);
}
/** Where `tsc -p bench/tsconfig.api.json` puts the compiled benchmark scripts. */
export const COMPILED_BENCH_DIR = join(ROOT, 'dist', 'bench-api', 'bench');

/** The one account every benchmark record lives in. */
export const ACCOUNT_ID = '6d2f1a4c9e8b7d3f0a5c2e1b4d6f8a90';
export const TOKEN = `bench-${randomBytes(12).toString('hex')}`;
export const AUTH_HEADERS = { authorization: `Bearer ${TOKEN}` };
export const COLLECTION = `/client/v4/accounts/${ACCOUNT_ID}/email-security/settings/allow_policies`;

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of `values`. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

// ------------------------------------------------------------------------------------------ children

const children = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL): the last resort on an abnormal exit. */
function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** The last lines of output, for error messages. */
  output(): string;
  /** SIGINT (graceful), then SIGKILL after `graceMs`. Resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, options: { quiet?: boolean } = {}): RunningProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', options.quiet ? () => {} : keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => children.delete(child));
  return {
    child,
    output: () => tail,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx, the process dies, or `timeoutMs` passes. */
export async function waitForHttp(url: string, proc: RunningProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`process exited (${proc.child.exitCode}) before ${url} answered:\n${proc.output()}`);
    try {
      const response = await fetch(url, { headers: AUTH_HEADERS });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${proc.output()}`);
}

export interface MailwardenServer {
  base: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/** Starts `dist/server.js` (built by `npm run build`) over `databaseUrl`, rate limiting off, logs at warn. */
export async function startMailwarden(
  databaseUrl: string,
  options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<MailwardenServer> {
  const port = await freePort();
  const server = join(ROOT, 'dist', 'server.js');
  if (!existsSync(server)) throw new Error('dist/server.js is missing: run `npm run build` first');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    MAILWARDEN_BOOTSTRAP_TOKEN: TOKEN,
    MAILWARDEN_RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...options.env,
  };
  const running = startProcess(process.execPath, [...(options.nodeArgs ?? []), server], env);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/readyz`, running);
  return { base, process: running, stop: () => running.stop() };
}

// ------------------------------------------------------------------------------------------ PostgreSQL

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** True when PostgreSQL answers at `url`. */
export async function postgresReachable(url: string): Promise<boolean> {
  try {
    await withAdmin(url, (client) => client.query('select 1'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates an empty database `mailwarden_bench_<label>_<random>` on the server of `adminUrl` (which is
 * only used to connect; its own database is never written). `drop()` removes it, connections and all.
 */
export async function createScratchDatabase(adminUrl: string, label: string): Promise<ScratchDatabase> {
  const name = `mailwarden_bench_${label}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** The URL to create scratch databases from: `DATABASE_URL` when it is PostgreSQL, else the local server. */
export function postgresAdminUrl(): string {
  const configured = process.env.DATABASE_URL;
  if (configured && /^postgres(ql)?:\/\//.test(configured)) return configured;
  return process.env.MAILWARDEN_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export function resolveFromRoot(...parts: string[]): string {
  return resolve(ROOT, ...parts);
}

// ------------------------------------------------------------------------------------------ sequential HTTP

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface TimedResponse {
  ms: number;
  status: number;
  body: string;
}

/** One GET on a kept-alive connection, timed from the request to the last byte of the body. */
export function timedGet(url: string, headers: Record<string, string> = AUTH_HEADERS): Promise<TimedResponse> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const request = http.get(url, { agent: keepAlive, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done({ ms: performance.now() - started, status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      response.on('error', fail);
    });
    request.on('error', fail);
  });
}

// ------------------------------------------------------------------------------------------ provenance

/** Which code was measured: the git commit, uncommitted changes under src/, and the migrations present. */
export function codeVersion(): string {
  const git = (args: string[]) => {
    const result = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : '';
  };
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown commit';
  const changed = git(['status', '--porcelain', '--', 'src']).split('\n').filter(Boolean).length;
  let migrations: string[] = [];
  try {
    migrations = readdirSync(join(ROOT, 'src', 'db', 'migrations'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => name.slice(0, 4));
  } catch {
    // no sources next to the build
  }
  return `src at ${commit}${changed ? ` with ${changed} uncommitted file${changed === 1 ? '' : 's'} under src/` : ''}, migrations ${migrations.join(', ') || '?'}`;
}
