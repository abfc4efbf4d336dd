/**
 * Opens the store named by `DATABASE_URL` and brings its schema up to date.
 * - `sqlite:<path>` (default): one embedded file in WAL mode, fsynced on every commit, so an answered
 *   write survives a crash; the folder is created.
 * - `postgres://...`: a pooled PostgreSQL database that any number of stateless replicas share.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { postgresAdapter, sqliteAdapter, type StoreAdapter } from './adapter.js';
import type { Executor } from './executor.js';
import { GroupCommitSqliteDialect } from './sqlite-driver.js';
import { settingsTablesMigration } from './migrations/0001-settings-tables.js';
import { tokensAndAuditLogMigration } from './migrations/0002-tokens-and-audit-log.js';
import { searchIndexesAndCountsMigration } from './migrations/0003-search-indexes-and-counts.js';
import { sortIndexesMigration } from './migrations/0004-sort-indexes.js';
import { patternTypeSortIndexesMigration } from './migrations/0005-pattern-type-sort-indexes.js';
import { snapshotsMigration } from './migrations/0006-snapshots.js';
import { dashboardSessionsMigration } from './migrations/0007-dashboard-sessions.js';
import { recordUuidsMigration } from './migrations/0008-record-uuids.js';
import { urlIgnorePatternsMigration } from './migrations/0009-url-ignore-patterns.js';

export interface Database {
  db: Executor;
  adapter: StoreAdapter;
  /** Where the data lives, without credentials, for logs. */
  location: string;
  /** A folder for files that belong with the data (the first-start admin token); null for an in-memory store. */
  dataDirectory: string | null;
  /**
   * Subscribes to NOTIFY messages on `channel` (PostgreSQL only) over a dedicated connection that
   * reconnects by itself; `onReconnect` runs after a reconnection, since messages may have been missed.
   * Resolves to a function that unsubscribes.
   */
  listen?(channel: string, onMessage: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>>;
  /** The PostgreSQL connection pool (PostgreSQL only), for what shares the database beside Kysely (rate-limit counters). */
  pool?: pg.Pool;
  close(): Promise<void>;
  /** PostgreSQL pool connections now (metrics). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  /** Calls `listener` with the size of every SQLite group commit (metrics). */
  onGroupCommit?(listener: (size: number) => void): void;
  /**
   * A connection for the migrations run at start, where one differs from `db` (PostgreSQL: with a query
   * timeout of minutes, not seconds, since rewriting a large table takes longer than any request may).
   * Closed after them.
   */
  openForMigrations?(): { db: Executor; close(): Promise<void> };
}

export interface DatabaseOptions {
  /** Largest number of PostgreSQL connections this process holds. */
  poolSize?: number;
  /** How long a PostgreSQL query may go unanswered before it fails. */
  queryTimeoutMs?: number;
}

/** Migrations in the order they apply; names sort in that order too. Never edit one that has shipped. */
function migrations(adapter: StoreAdapter): Record<string, Migration> {
  return {
    '0001-settings-tables': settingsTablesMigration(adapter),
    '0002-tokens-and-audit-log': tokensAndAuditLogMigration(adapter),
    '0003-search-indexes-and-counts': searchIndexesAndCountsMigration(adapter),
    '0004-sort-indexes': sortIndexesMigration(adapter),
    '0005-pattern-type-sort-indexes': patternTypeSortIndexesMigration(adapter),
    '0006-snapshots': snapshotsMigration(),
    '0007-dashboard-sessions': dashboardSessionsMigration(),
    '0008-record-uuids': recordUuidsMigration(adapter),
    '0009-url-ignore-patterns': urlIgnorePatternsMigration(adapter),
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly all: Record<string, Migration>) {}
  getMigrations() {
    return Promise.resolve(this.all);
  }
}

class DatabaseUrlError extends Error {}

/** The URL without its password, for logs and messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function openSqlite(path: string): Database {
  const memory = path === ':memory:';
  const file = memory ? path : resolve(path);
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const writer = new SQLite(file);
  writer.pragma('journal_mode = WAL');
  // FULL: every commit is fsynced before the response is sent, so a power loss keeps answered writes.
  // Concurrent transactions share their fsync (group commit, see sqlite-driver.ts).
  writer.pragma('synchronous = FULL');
  writer.pragma('busy_timeout = 5000');
  // Reads run on a connection of their own: in WAL mode it sees only committed, durable data.
  const reader = memory ? writer : new SQLite(file);
  if (reader !== writer) {
    reader.pragma('busy_timeout = 5000');
    reader.pragma('query_only = true');
  }
  const dialect = new GroupCommitSqliteDialect(writer, reader);
  const db = new Kysely({ dialect });
  return {
    db,
    adapter: sqliteAdapter,
    location: `sqlite:${file}`,
    dataDirectory: memory ? null : dirname(file),
    close: () => db.destroy(),
    onGroupCommit: (listener) => {
      dialect.driver.onGroupCommit = listener;
    },
  };
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // Fail a request within seconds when the database is unreachable (503), instead of hanging.
    connectionTimeoutMillis: 5000,
    // A query with no answer for this long (a silent network partition) fails, answered 503.
    query_timeout: options.queryTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
  });
  // A connection that dies (server restart, network cut) must never crash the process: the query it
  // was running fails (answered 503), and the pool replaces it on next use. pg-pool listens on idle
  // clients only, so checked-out clients get a listener of their own.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    adapter: postgresAdapter,
    location: redactUrl(url),
    dataDirectory: resolve('data'),
    listen: (channel, onMessage, onReconnect) => listenPostgres(url, channel, onMessage, onReconnect),
    pool,
    close: () => db.destroy(),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    openForMigrations() {
      // Ten minutes: long enough to rewrite a table of millions of rows, and still an end to a silent partition.
      const migrationPool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000, query_timeout: 600_000 });
      migrationPool.on('error', () => {});
      const migrationDb = new Kysely({ dialect: new PostgresDialect({ pool: migrationPool }) });
      return { db: migrationDb, close: () => migrationDb.destroy() };
    },
  };
}

async function listenPostgres(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  onReconnect: () => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  async function connect(isReconnect: boolean): Promise<void> {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    next.on('notification', (message) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    });
    // A lost connection is replaced after a pause; until then other replicas' changes may be missed,
    // which the reconnect callback makes up for.
    next.on('error', () => scheduleReconnect());
    next.on('end', () => scheduleReconnect());
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      next.removeAllListeners('end');
      await next.end().catch(() => {});
      if (!isReconnect) throw error;
      scheduleReconnect();
      return;
    }
    client = next;
    if (isReconnect) onReconnect();
  }

  function scheduleReconnect(): void {
    if (stopped || retry) return;
    client = undefined;
    retry = setTimeout(() => {
      retry = undefined;
      void connect(true);
    }, 1000);
  }

  await connect(false);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const current = client;
    client = undefined;
    if (current) {
      current.removeAllListeners('end');
      await current.end().catch(() => {});
    }
  };
}

export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  let database: Database;
  if (url.startsWith('sqlite:')) database = openSqlite(url.slice('sqlite:'.length));
  else if (/^postgres(ql)?:\/\//.test(url)) database = openPostgres(url, options);
  else throw new DatabaseUrlError(`Unsupported DATABASE_URL '${redactUrl(url)}': use sqlite:<path> or postgres://...`);

  // Replicas starting together are safe: Kysely's migrator takes a lock before migrating.
  const migrating = database.openForMigrations?.() ?? { db: database.db, close: async () => {} };
  const migrator = new Migrator({ db: migrating.db, provider: new StaticMigrationProvider(migrations(database.adapter)) });
  const { error } = await migrator.migrateToLatest().finally(() => migrating.close());
  if (error) {
    await database.close();
    // What a migration threw: a driver error.
    throw error as Error;
  }
  return database;
}

/** True when the database answers a trivial query within `timeoutMs`. */
export async function isDatabaseReady(database: Database, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(false), timeoutMs);
  });
  const probe = sql`select 1`.execute(database.db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
