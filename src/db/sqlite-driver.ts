/**
 * Kysely's SQLite dialect with the driver replaced by one built for a server:
 *
 * - **Group commit.** Every commit is fsynced (`synchronous = FULL`), and an fsync costs far more
 *   than the statements it makes durable. Transactions therefore run one at a time, as before, but
 *   each inside a SAVEPOINT of one shared write transaction; the COMMIT (one fsync) happens once no
 *   transaction is waiting for the writer, on the next turn of the event loop, and only then do the
 *   transactions it holds resolve. A response is still only sent once its change is on disk; the
 *   requests that arrived together share the fsync. A transaction that fails rolls back to its own
 *   savepoint and leaves the others in the group alone.
 * - **A reader connection.** Statements outside a transaction that only read run on a second
 *   connection, which in WAL mode sees the last commit and never the group still being written. So
 *   nothing is shown to a client before it is durable, and reads never wait for the writer.
 * - **Prepared statements are cached** by SQL text; Kysely prepares every query it runs, and
 *   preparing costs about as much as running a simple one.
 *
 * Writes outside a transaction (migrations, token changes) run as a transaction of their own.
 */
import type SQLite from 'better-sqlite3';
import type { Executor } from './executor.js';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';

/** A group commits at the latest once it holds this many transactions, to bound their wait. */
const MAX_GROUP = 256;
/** Distinct SQL texts kept prepared per connection; beyond that the cache starts over. */
const STATEMENT_CACHE_SIZE = 1000;
const SAVEPOINT = 'mailwarden_tx';

/**
 * A prepared statement, and for statements that return rows, a function that makes a row object from
 * the array SQLite returns (raw mode). better-sqlite3 builds each row object key by key in C++; an
 * object literal with the statement's column names builds it in one step, with one shape for all rows:
 * a 20-row page came out about 40% cheaper.
 */
class Prepared {
  private rowOf: (values: unknown[]) => object = () => ({});
  private columnCount = -1;

  constructor(readonly statement: SQLite.Statement) {
    if (statement.reader) statement.raw(true);
  }

  execute<R>(parameters: readonly unknown[]): QueryResult<R> {
    const statement = this.statement;
    if (!statement.reader) {
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    }
    const rows = statement.all(parameters) as unknown[][];
    if (rows.length === 0) return { rows: [] };
    // The columns of `select *` change with the schema (SQLite re-prepares the statement by itself).
    if (rows[0].length !== this.columnCount) {
      const names = statement.columns().map((column) => column.name);
      this.rowOf = compileRowOf(names);
      this.columnCount = names.length;
    }
    const rowOf = this.rowOf;
    const objects = new Array<R>(rows.length);
    for (let i = 0; i < rows.length; i++) objects[i] = rowOf(rows[i]) as R;
    return { rows: objects };
  }
}

/**
 * `values => ({ "id": values[0], ... })`. Names are JSON-quoted, so any column name is safe; with
 * duplicates the last wins, as in better-sqlite3's own row objects.
 */
function compileRowOf(names: string[]): (values: unknown[]) => object {
  // In a literal, a "__proto__" key would set the prototype instead of a property.
  if (names.includes('__proto__')) {
    return (values) => Object.fromEntries(names.map((name, i) => [name, values[i]]));
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- one constructor per result shape; the names are JSON-quoted
  return new Function('values', `return { ${names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ')} };`) as (
    values: unknown[],
  ) => object;
}

class StatementCache {
  private readonly statements = new Map<string, Prepared>();

  constructor(readonly connection: SQLite.Database) {}

  get(sql: string): Prepared {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = new Prepared(this.connection.prepare(sql));
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  run(sql: string): void {
    this.get(sql).execute([]);
  }

  clear(): void {
    this.statements.clear();
  }
}

/** Only statements that look like reads are tried on the reader; `readonly` then decides. */
const LOOKS_LIKE_READ = /^\s*(select|with|explain)\b/i;
/** Statements that cannot run inside a transaction, or should not: run alone on the idle writer. */
const OUTSIDE_TRANSACTIONS = /^\s*(pragma|vacuum|analyze)\b/i;
/** After these, cached statements' column lists may be stale. */
const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * What the other transactions of a group that SQLite rolled back as a whole are told: their work is
 * gone too. Carries the code of the error that caused it (SQLITE_FULL, SQLITE_IOERR...).
 */
function aborted(cause: unknown): Error {
  const error = new Error('the write transaction was rolled back by an error in another request', { cause });
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') Object.assign(error, { code });
  return error;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

class GroupCommitSqliteDriver implements Driver {
  private readonly writer: StatementCache;
  private readonly reader: StatementCache;
  /** Whether a transaction (or an implicit one) holds the writer; the queue waits for it. */
  private writerBusy = false;
  private readonly writerQueue: (() => void)[] = [];
  /** Transactions released into the open group, waiting for its COMMIT. */
  private group: Waiter[] = [];
  private flushScheduled = false;
  private closed = false;
  private lastStatementError: unknown = undefined;
  /** Transactions committed, and the COMMITs (fsyncs) that made them durable. */
  readonly stats = { transactions: 0, commits: 0 };
  /** Told the number of transactions each COMMIT made durable (metrics). */
  onGroupCommit?: (size: number) => void;

  /**
   * `reader` may be the writer itself (an in-memory database, which a second connection cannot see);
   * reads then see the group being written, which for a throwaway database is harmless.
   */
  constructor(writer: SQLite.Database, reader: SQLite.Database) {
    this.writer = new StatementCache(writer);
    this.reader = reader === writer ? this.writer : new StatementCache(reader);
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new GroupCommitConnection(this));
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as GroupCommitConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as GroupCommitConnection).commit();
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as GroupCommitConnection).rollback();
    return Promise.resolve();
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteIdentifier(name)}`));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    // A connection still in a transaction here was never committed nor rolled back by Kysely.
    (connection as GroupCommitConnection).rollback();
    return Promise.resolve();
  }

  /** Waits for a transaction that is still running, commits the group, and closes. */
  async destroy(): Promise<void> {
    if (this.closed) return;
    await this.lockWriter();
    this.closed = true;
    this.flush();
    this.writer.connection.close();
    if (this.reader !== this.writer) this.reader.connection.close();
    // Transactions still queued find the store closed.
    for (const next of this.writerQueue.splice(0)) next();
  }

  // ------------------------------------------------------------------ used by GroupCommitConnection

  /** Runs a statement outside any transaction: reads on the reader, writes as a transaction of their own. */
  async executeAlone<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (LOOKS_LIKE_READ.test(query.sql)) {
      const prepared = this.reader.get(query.sql);
      if (prepared.statement.readonly) return prepared.execute<R>(query.parameters);
    }
    if (OUTSIDE_TRANSACTIONS.test(query.sql)) return this.executeOnIdleWriter(query);
    await this.beginWrite();
    let result: QueryResult<R>;
    try {
      result = this.executeInTransaction<R>(query);
    } catch (error) {
      this.rollbackWrite(error);
      throw error;
    }
    await this.commitWrite();
    return result;
  }

  executeInTransaction<R>(query: CompiledQuery): QueryResult<R> {
    const prepared = this.writer.get(query.sql);
    let result: QueryResult<R>;
    try {
      result = prepared.execute<R>(query.parameters);
    } catch (error) {
      this.lastStatementError = error; // reported to the group if it aborted the whole transaction
      throw error;
    }
    if (!prepared.statement.reader && SCHEMA_CHANGE.test(query.sql)) {
      this.writer.clear();
      this.reader.clear();
    }
    return result;
  }

  /** Commits the open group, then runs the statement on its own (a PRAGMA, VACUUM). */
  private async executeOnIdleWriter<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    await this.lockWriter();
    try {
      if (this.closed) throw new Error('the database is closed');
      this.flush();
      return this.writer.get(query.sql).execute<R>(query.parameters);
    } finally {
      this.releaseWriter();
    }
  }

  private async lockWriter(): Promise<void> {
    if (this.writerBusy) await new Promise<void>((resolve) => this.writerQueue.push(resolve));
    else this.writerBusy = true;
  }

  /** Waits for the writer, then opens the group (if none is open) and this transaction's savepoint. */
  async beginWrite(): Promise<void> {
    await this.lockWriter();
    if (this.closed) throw new Error('the database is closed');
    try {
      if (!this.writer.connection.inTransaction) this.writer.run('begin immediate');
      this.writer.run(`savepoint ${SAVEPOINT}`);
    } catch (error) {
      this.releaseWriter();
      throw error;
    }
  }

  /** Folds this transaction into the group and resolves once the group's COMMIT is on disk. */
  commitWrite(): Promise<void> {
    let durable: Promise<void>;
    try {
      this.writer.run(`release ${SAVEPOINT}`);
      durable = new Promise<void>((resolve, reject) => this.group.push({ resolve, reject }));
    } catch (error) {
      this.rollbackWrite();
      return Promise.reject(error);
    }
    if (this.group.length >= MAX_GROUP) this.flush();
    this.releaseWriter();
    return durable;
  }

  /**
   * Undoes this transaction only; the rest of the group is kept, unless SQLite aborted all of it.
   * `cause`: the error that made this transaction roll back, if any.
   */
  rollbackWrite(cause?: unknown): void {
    try {
      if (this.writer.connection.inTransaction) {
        this.writer.run(`rollback to ${SAVEPOINT}`);
        this.writer.run(`release ${SAVEPOINT}`);
      }
    } catch (error) {
      this.abortGroup(error);
    }
    // Some errors (a full disk, an I/O error) end the whole transaction: the group's work is gone.
    if (!this.writer.connection.inTransaction) this.failGroup(aborted(cause ?? this.lastStatementError));
    this.lastStatementError = undefined;
    this.releaseWriter();
  }

  releaseWriter(): void {
    const next = this.writerQueue.shift();
    if (next !== undefined) {
      next(); // the writer passes straight on; the group stays open for it
      return;
    }
    this.writerBusy = false;
    // Also when the group is empty but still open (its last transaction rolled back): it holds the
    // file's write lock, which other processes (the CLI) wait for.
    if (this.writer.connection.inTransaction && !this.flushScheduled) {
      // Let the requests that arrived in this turn of the event loop join before the fsync.
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (!this.writerBusy) this.flush();
      });
    }
  }

  /** Commits the open group and answers its transactions; closes an empty one. */
  private flush(): void {
    const group = this.group;
    if (group.length === 0) {
      if (this.writer.connection.inTransaction) this.writer.run('rollback');
      return;
    }
    this.group = [];
    try {
      this.writer.run('commit');
    } catch (error) {
      this.abortGroup(error, group);
      return;
    }
    this.stats.commits++;
    this.stats.transactions += group.length;
    this.onGroupCommit?.(group.length);
    for (const waiter of group) waiter.resolve();
  }

  private abortGroup(error: unknown, group = this.group): void {
    try {
      if (this.writer.connection.inTransaction) this.writer.run('rollback');
    } catch {
      // Already rolled back by SQLite.
    }
    this.failGroup(error, group);
  }

  private failGroup(error: unknown, group = this.group): void {
    if (group === this.group) this.group = [];
    for (const waiter of group) waiter.reject(error);
  }
}

class GroupCommitConnection implements DatabaseConnection {
  private inTransaction = false;

  constructor(private readonly driver: GroupCommitSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.inTransaction ? this.driver.executeInTransaction<R>(query) : this.driver.executeAlone<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(query);
  }

  async begin(): Promise<void> {
    await this.driver.beginWrite();
    this.inTransaction = true;
  }

  commit(): Promise<void> {
    this.inTransaction = false;
    return this.driver.commitWrite();
  }

  /**
   * Only while this connection holds the writer: after a failed commit Kysely rolls back too, and by
   * then the writer (and the savepoint name) may belong to the next transaction.
   */
  rollback(): void {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    this.driver.rollbackWrite();
  }
}

export class GroupCommitSqliteDialect implements Dialect {
  readonly driver: GroupCommitSqliteDriver;

  constructor(writer: SQLite.Database, reader: SQLite.Database) {
    this.driver = new GroupCommitSqliteDriver(writer, reader);
  }

  createDriver(): Driver {
    return this.driver;
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  createIntrospector(db: Executor) {
    return new SqliteIntrospector(db);
  }
}
