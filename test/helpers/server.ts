/**
 * Test servers: the real app on a real port over a real SQLite file in a fresh temporary folder.
 * `startServer` runs it in this process; `spawnServer` runs the built `dist/server.js` as a child
 * process (for restart and crash tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase, TEST_DIALECT } from './postgres.js';

export const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
export const OTHER_ACCOUNT = 'ffffffffffffffffffffffffffffffff';
/** The bootstrap (all-accounts admin) token test servers accept unless told otherwise. */
export const TEST_TOKEN = 'mailwarden-test-admin-token';

export function temporaryDirectory(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'mailwarden-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  app: FastifyInstance;
  /** The SQLite file (meaningful on the SQLite half of the suite only). */
  databaseFile: string;
  /** What the server's DATABASE_URL is: a temporary SQLite file, or a fresh PostgreSQL database. */
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real app in this process on an ephemeral port, over the store of this test run
 * (MAILWARDEN_TEST_DIALECT): a temporary SQLite file, or a fresh PostgreSQL database.
 */
export async function startServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const directory = temporaryDirectory();
  const databaseFile = join(directory.path, 'mailwarden.db');
  const postgres = TEST_DIALECT === 'postgres' && overrides.databaseUrl === undefined ? await createTestDatabase() : undefined;
  const config: Config = {
    host: '127.0.0.1',
    port: 0,
    databaseUrl: postgres?.url ?? `sqlite:${databaseFile}`,
    dbPoolSize: 5,
    dbQueryTimeoutMs: 5000,
    bodyLimit: 8 * 1024 * 1024,
    logLevel: 'silent',
    bootstrapToken: TEST_TOKEN,
    authMode: 'enforced',
    rateLimit: 0,
    rateLimitWindowSeconds: 300,
    authFailureLimit: 0,
    corsOrigins: [],
    trustProxy: false,
    connections: {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      maxHeaderBytes: 16 * 1024,
      maxConnections: 0,
      maxConnectionsPerIp: 0,
    },
    ...overrides,
  };
  const database = await openDatabase(config.databaseUrl, { poolSize: config.dbPoolSize, queryTimeoutMs: config.dbQueryTimeoutMs });
  const app = await buildApp(config, { database, logger: false });
  const origin = await app.listen({ host: config.host, port: 0 });
  return {
    origin,
    app,
    databaseFile,
    databaseUrl: config.databaseUrl,
    async close() {
      await app.close();
      await postgres?.drop();
      directory.remove();
    },
  };
}

export interface ChildServer {
  origin: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends `signal` and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const SERVER_ENTRY = resolve(import.meta.dirname, '../../dist/server.js');

/** A child server's environment: only what is given, plus PATH, loopback, an ephemeral port and TEST_TOKEN. */
export function serverEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', MAILWARDEN_BOOTSTRAP_TOKEN: TEST_TOKEN, ...env };
}

/**
 * Starts `dist/server.js` on an ephemeral port (in `options.cwd`, where relative paths resolve) and
 * resolves once it listens. The bootstrap token is TEST_TOKEN unless `env` sets
 * MAILWARDEN_BOOTSTRAP_TOKEN (an empty value leaves it unset).
 */
export function spawnServer(env: Record<string, string>, options: { cwd?: string } = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: serverEnvironment(env),
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => rejectStart(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveStart({
          origin: match[1],
          process: child,
          output: () => output,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rejectStart(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}
