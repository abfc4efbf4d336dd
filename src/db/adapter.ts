/**
 * What differs between the storage engines, asked as capabilities rather than "which database is this".
 * Repositories, migrations and the error handler use these and never branch on the engine's name.
 */
import { sql, type ColumnDataType, type Expression, type SqlBool } from 'kysely';
import type { Executor } from './executor.js';

export interface StoreAdapter {
  /** Short name for logs and health output. */
  readonly engine: 'sqlite' | 'postgres';
  /** Column type of a server-assigned int32 primary key. */
  readonly serialIdType: ColumnDataType;
  /** Whether the id column above needs Kysely's `autoIncrement()` modifier (SQLite) to never reuse ids. */
  readonly needsAutoIncrementModifier: boolean;
  /** Whether `SELECT ... FOR UPDATE` exists; where it does not, transactions are serialised anyway. */
  readonly supportsRowLocks: boolean;
  /** True when `error` is a unique-constraint violation raised by this engine. */
  readonly isUniqueViolation: (error: unknown) => boolean;
  /** True when the transaction lost a race (deadlock, serialization failure) and may simply be retried. */
  readonly isRetryable: (error: unknown) => boolean;
  /** True when the database cannot be reached or is shutting down: clients get a 503, not a 500. */
  readonly isUnavailable: (error: unknown) => boolean;
  /** A column expression that sorts byte-wise, the same on every engine whatever the database collation. */
  sortable(column: string): Expression<unknown>;
  /**
   * Creates the index that serves `account_id = ? [AND prefix = ?...] ORDER BY sortable(column), id`
   * (migration step); `prefix` names equality-filtered columns placed before the sort key.
   */
  createSortIndex(db: Executor, table: string, column: string, prefix?: string[]): Promise<void>;
  /** Creates the substring-search index of `table` over `columns` (migration step). */
  createSearchIndex(db: Executor, table: string, columns: string[]): Promise<void>;
  /**
   * Condition: some of `columns` contains `term`, case-insensitively, served by the search index where
   * the term is long enough for it (three characters: both engines index trigrams).
   */
  searchCondition(table: string, columns: string[], term: string): Expression<SqlBool>;
  /**
   * Tells every other process using the database that `payload` changed, when the current transaction
   * commits (PostgreSQL NOTIFY). A no-op where one process owns the database (SQLite).
   */
  notify(executor: Executor, channel: string, payload: string): Promise<void>;
  /**
   * Adds the text column `column` to `table`, holding a new random (version 4) uuid in lower case for
   * every existing row (migration step; new rows get theirs from the application).
   */
  addRandomUuidColumn(db: Executor, table: string, column: string): Promise<void>;
}

/** Escapes LIKE wildcards so a search for `100%` means the characters, not a pattern. */
function likeContains(value: string): string {
  return `%${value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The portable scan: lower(column) LIKE '%term%' over each column. */
function likeCondition(columns: string[], term: string): Expression<SqlBool> {
  const pattern = likeContains(term);
  const conditions = columns.map((column) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`);
  return sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const sqliteAdapter: StoreAdapter = {
  engine: 'sqlite',
  serialIdType: 'integer',
  // AUTOINCREMENT stops SQLite from reusing the id of the last deleted row.
  needsAutoIncrementModifier: true,
  // better-sqlite3 runs every transaction on one connection, one at a time.
  supportsRowLocks: false,
  isUniqueViolation: (error) => errorCode(error)?.startsWith('SQLITE_CONSTRAINT_UNIQUE') ?? false,
  // One connection, one transaction at a time: nothing to lose a race against.
  isRetryable: () => false,
  // Another process (the CLI) holding the write lock past busy_timeout.
  isUnavailable: (error) => errorCode(error) === 'SQLITE_BUSY',
  // SQLite compares text byte-wise (BINARY) unless told otherwise.
  sortable: (column) => sql.ref(column),
  async createSortIndex(db, table, column, prefix = []) {
    const name = [table, ...prefix, column, 'sort'].join('_');
    await db.schema
      .createIndex(name)
      .on(table)
      .columns(['account_id', ...prefix, column, 'id'])
      .execute();
  },
  // An external-content FTS5 table with the trigram tokenizer, kept in step by triggers.
  async createSearchIndex(db, table, columns) {
    const search = `${table}_search`;
    const list = columns.join(', ');
    const newValues = columns.map((c) => `new.${c}`).join(', ');
    const oldValues = columns.map((c) => `old.${c}`).join(', ');
    await sql
      .raw(`create virtual table ${search} using fts5(${list}, content='${table}', content_rowid='id', tokenize='trigram')`)
      .execute(db);
    await sql.raw(`insert into ${search}(${search}) values ('rebuild')`).execute(db);
    await sql
      .raw(
        `create trigger ${table}_search_insert after insert on ${table} begin
      insert into ${search}(rowid, ${list}) values (new.id, ${newValues}); end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_search_delete after delete on ${table} begin
      insert into ${search}(${search}, rowid, ${list}) values ('delete', old.id, ${oldValues}); end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_search_update after update on ${table} begin
      insert into ${search}(${search}, rowid, ${list}) values ('delete', old.id, ${oldValues});
      insert into ${search}(rowid, ${list}) values (new.id, ${newValues}); end`,
      )
      .execute(db);
  },
  searchCondition(table, columns, term) {
    if ([...term].length < 3) return likeCondition(columns, term);
    // A quoted FTS5 string is a phrase: with the trigram tokenizer, a case-insensitive substring.
    const phrase = `"${term.replaceAll('"', '""')}"`;
    return sql<SqlBool>`${sql.ref(`${table}.id`)} in (select rowid from ${sql.table(`${table}_search`)} where ${sql.table(`${table}_search`)} match ${phrase})`;
  },
  notify: async () => {},
  // SQLite has no uuid function, and adds columns with constant defaults only: the column is added, then
  // filled with 122 random bits laid out as a version 4, variant 1 uuid.
  async addRandomUuidColumn(db, table, column) {
    await db.schema.alterTable(table).addColumn(column, 'varchar(36)').execute();
    const uuid = sql`lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${uuid}`.execute(db);
  },
};

// PostgreSQL SQLSTATE classes: 08 connection exception, 57P0x operator intervention (shutdown),
// 53300 too many connections; 40001 serialization failure, 40P01 deadlock.
const PG_UNAVAILABLE = /^(08|57P0|53300)/;
const NODE_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export const postgresAdapter: StoreAdapter = {
  engine: 'postgres',
  // serial is int4: ids stay int32 and sequences never hand out an id twice.
  serialIdType: 'serial',
  needsAutoIncrementModifier: false,
  supportsRowLocks: true,
  isUniqueViolation: (error) => errorCode(error) === '23505',
  isRetryable: (error) => errorCode(error) === '40001' || errorCode(error) === '40P01',
  isUnavailable(error) {
    const code = errorCode(error);
    if (code && (PG_UNAVAILABLE.test(code) || NODE_NETWORK_ERRORS.has(code))) return true;
    const message = error instanceof Error ? error.message : '';
    // node-postgres reports these without a code.
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Query read timeout/.test(
      message,
    );
  },
  sortable: (column) => sql`${sql.ref(column)} collate "C"`,
  async createSortIndex(db, table, column, prefix = []) {
    const name = [table, ...prefix, column, 'sort'].join('_');
    const leading = ['account_id', ...prefix].join(', ');
    await sql.raw(`create index ${name} on ${table} (${leading}, (${column} collate "C"), id)`).execute(db);
  },
  // pg_trgm GIN indexes on lower(column) serve `lower(column) LIKE '%term%'`.
  async createSearchIndex(db, table, columns) {
    await sql`create extension if not exists pg_trgm`.execute(db);
    for (const column of columns) {
      await sql.raw(`create index ${table}_${column}_trgm on ${table} using gin (lower(${column}) gin_trgm_ops)`).execute(db);
    }
  },
  searchCondition: (_table, columns, term) => likeCondition(columns, term),
  async notify(executor, channel, payload) {
    await sql`select pg_notify(${channel}, ${payload})`.execute(executor);
  },
  // A volatile default fills every row in one table rewrite, indexes rebuilt once (an UPDATE would add an
  // entry to every index, trigram ones included, per row: about three times slower). gen_random_uuid()
  // is built in since PostgreSQL 13, version 4 and in lower case. The default is dropped: new rows get
  // their uuid from the application, as on SQLite.
  async addRandomUuidColumn(db, table, column) {
    await db.schema
      .alterTable(table)
      .addColumn(column, 'varchar(36)', (col) => col.notNull().defaultTo(sql`gen_random_uuid()::text`))
      .execute();
    await db.schema
      .alterTable(table)
      .alterColumn(column, (col) => col.dropDefault())
      .execute();
  },
};
