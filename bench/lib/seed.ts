/**
 * Fast loading of benchmark accounts, straight into the store (no HTTP): the schema comes from the
 * service's own migrations (`openDatabase`), rows go in with large multi-row statements inside large
 * transactions, and the maintained per-account count (`resource_counts`) is set to the true count
 * afterwards, exactly what `resource-repository.ts` keeps through `adjustCount`. The search indexes
 * (SQLite FTS5 triggers, PostgreSQL pg_trgm GIN indexes) are maintained by the database itself.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { policyAt, sampleInvalid, type PolicyRow } from './dataset.js';

const TABLE = 'allow_policies';
const COLUMNS = [
  'account_id',
  'created_at',
  'last_modified',
  'comments',
  'is_acceptable_sender',
  'is_exempt_recipient',
  'is_regex',
  'is_trusted_sender',
  'pattern',
  'pattern_type',
  'verify_sender',
] as const;

function values(accountId: string, row: PolicyRow): unknown[] {
  return [
    accountId,
    row.created_at,
    row.last_modified,
    row.comments,
    row.is_acceptable_sender,
    row.is_exempt_recipient,
    row.is_regex,
    row.is_trusted_sender,
    row.pattern,
    row.pattern_type,
    row.verify_sender,
  ];
}

export interface BenchStore {
  readonly engine: 'sqlite' | 'postgres';
  readonly url: string;
  /** Inserts generated records [from, to) into `accountId`, then sets its maintained count. */
  seed(accountId: string, from: number, to: number, onProgress?: (done: number) => void): Promise<{ ms: number }>;
  /** Sets `resource_counts` of the account to the true number of its records. */
  recount(accountId: string): Promise<number>;
  /** Deletes the account's records with an id above `id` (benchmark writes), then recounts. */
  deleteAbove(accountId: string, id: number): Promise<number>;
  /** Ids of the account's records, lowest and highest, and how many. */
  idRange(accountId: string): Promise<{ min: number; max: number; count: number }>;
  /** Refreshes planner statistics the way the engine does on its own in production (PostgreSQL autovacuum). */
  settle(): Promise<void>;
  /** Runs `text` (positional `?`/`$n` parameters as the engine expects) and returns its rows. */
  query(text: string, parameters?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Creates or migrates the schema through the service's own `openDatabase`, then opens a loader connection. */
export async function openBenchStore(url: string): Promise<BenchStore> {
  const migrated = await openDatabase(url);
  await migrated.close();
  if (url.startsWith('sqlite:')) return sqliteStore(url);
  return postgresStore(url);
}

function checkSample(from: number, to: number): void {
  // Every record must be one the API accepts; a sample keeps this cheap at 1M.
  const invalid = sampleInvalid(from, to, Math.max(1, Math.floor((to - from) / 5000)));
  if (invalid.length > 0) throw new Error(`generated invalid allow policies: ${JSON.stringify(invalid.slice(0, 3))}`);
}

function sqliteStore(url: string): BenchStore {
  const connection = new SQLite(url.slice('sqlite:'.length));
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 10000');
  const ROWS_PER_STATEMENT = 100;
  const placeholders = (rows: number) => Array.from({ length: rows }, () => `(${COLUMNS.map(() => '?').join(', ')})`).join(', ');
  const insertMany = connection.prepare(`insert into ${TABLE} (${COLUMNS.join(', ')}) values ${placeholders(ROWS_PER_STATEMENT)}`);
  const insertOne = connection.prepare(`insert into ${TABLE} (${COLUMNS.join(', ')}) values ${placeholders(1)}`);
  const recountStatement = connection.prepare(
    `insert into resource_counts (account_id, resource, count)
       select ?, '${TABLE}', count(*) from ${TABLE} where account_id = ?
       on conflict (account_id, resource) do update set count = excluded.count`,
  );

  function recount(accountId: string): number {
    recountStatement.run(accountId, accountId);
    const row = connection.prepare(`select count from resource_counts where account_id = ? and resource = ?`).get(accountId, TABLE) as {
      count: number;
    };
    return row.count;
  }

  return {
    engine: 'sqlite',
    url,
    seed(accountId, from, to, onProgress) {
      checkSample(from, to);
      const started = performance.now();
      // The loader's commits need not be fsynced one by one: the file is synced at the checkpoint below.
      connection.pragma('synchronous = OFF');
      connection.pragma('cache_size = -262144');
      const TRANSACTION_ROWS = 50_000;
      const load = connection.transaction((start: number, end: number) => {
        let index = start;
        for (; index + ROWS_PER_STATEMENT <= end; index += ROWS_PER_STATEMENT) {
          const parameters: unknown[] = [];
          for (let i = index; i < index + ROWS_PER_STATEMENT; i++) parameters.push(...values(accountId, policyAt(i)));
          insertMany.run(parameters);
        }
        for (; index < end; index++) insertOne.run(values(accountId, policyAt(index)));
      });
      for (let start = from; start < to; start += TRANSACTION_ROWS) {
        const end = Math.min(to, start + TRANSACTION_ROWS);
        load(start, end);
        onProgress?.(end - from);
      }
      recount(accountId);
      connection.pragma('wal_checkpoint(TRUNCATE)');
      connection.pragma('synchronous = FULL');
      return Promise.resolve({ ms: performance.now() - started });
    },
    recount(accountId) {
      return Promise.resolve(recount(accountId));
    },
    deleteAbove(accountId, id) {
      const result = connection.prepare(`delete from ${TABLE} where account_id = ? and id > ?`).run(accountId, id);
      recount(accountId);
      return Promise.resolve(result.changes);
    },
    idRange(accountId) {
      return Promise.resolve(
        connection
          .prepare(`select coalesce(min(id), 0) as min, coalesce(max(id), 0) as max, count(*) as count from ${TABLE} where account_id = ?`)
          .get(accountId) as { min: number; max: number; count: number },
      );
    },
    settle() {
      connection.pragma('wal_checkpoint(TRUNCATE)');
      return Promise.resolve();
    },
    query(text, parameters = []) {
      const statement = connection.prepare(text);
      return Promise.resolve(
        statement.reader ? (statement.all(...parameters) as Record<string, unknown>[]) : (statement.run(...parameters), []),
      );
    },
    close() {
      connection.close();
      return Promise.resolve();
    },
  };
}

const PG_TYPES: Record<(typeof COLUMNS)[number], string> = {
  account_id: 'varchar',
  created_at: 'varchar',
  last_modified: 'varchar',
  comments: 'text',
  is_acceptable_sender: 'int4',
  is_exempt_recipient: 'int4',
  is_regex: 'int4',
  is_trusted_sender: 'int4',
  pattern: 'text',
  pattern_type: 'varchar',
  verify_sender: 'int4',
};

function postgresStore(url: string): BenchStore {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  const unnest = COLUMNS.map((column, position) => `$${position + 1}::${PG_TYPES[column]}[]`).join(', ');
  const insert = `insert into ${TABLE} (${COLUMNS.join(', ')}) select * from unnest(${unnest})`;
  const recountText = `insert into resource_counts (account_id, resource, count)
       select $1::varchar, '${TABLE}', count(*) from ${TABLE} where account_id = $1::varchar
       on conflict (account_id, resource) do update set count = excluded.count
       returning count`;

  async function recount(accountId: string): Promise<number> {
    const { rows } = await pool.query<{ count: number }>(recountText, [accountId]);
    return Number(rows[0].count);
  }

  return {
    engine: 'postgres',
    url,
    async seed(accountId, from, to, onProgress) {
      checkSample(from, to);
      const started = performance.now();
      const BATCH = 20_000;
      // Two loaders in parallel (one per core); each batch is one statement, its own transaction.
      let next = from;
      let done = 0;
      async function loader() {
        const client = await pool.connect();
        try {
          // An unlogged-like speed-up that keeps crash safety of what is committed: no wait for the WAL flush.
          await client.query('set synchronous_commit = off');
          while (next < to) {
            const start = next;
            const end = Math.min(to, start + BATCH);
            next = end;
            const columns: unknown[][] = COLUMNS.map(() => []);
            for (let index = start; index < end; index++) {
              const row = values(accountId, policyAt(index));
              for (let c = 0; c < columns.length; c++) columns[c].push(row[c]);
            }
            await client.query(insert, columns);
            done += end - start;
            onProgress?.(done);
          }
        } finally {
          client.release();
        }
      }
      await Promise.all([loader(), loader()]);
      await recount(accountId);
      await this.settle();
      return { ms: performance.now() - started };
    },
    recount,
    async deleteAbove(accountId, id) {
      const result = await pool.query(`delete from ${TABLE} where account_id = $1 and id > $2`, [accountId, id]);
      await recount(accountId);
      return result.rowCount ?? 0;
    },
    async idRange(accountId) {
      const { rows } = await pool.query<{ min: string; max: string; count: string }>(
        `select coalesce(min(id), 0) as min, coalesce(max(id), 0) as max, count(*) as count from ${TABLE} where account_id = $1`,
        [accountId],
      );
      return { min: Number(rows[0].min), max: Number(rows[0].max), count: Number(rows[0].count) };
    },
    async settle() {
      // What autovacuum does on its own after a large change: statistics and the visibility map.
      await pool.query(`vacuum (analyze) ${TABLE}`);
      await pool.query(`vacuum (analyze) resource_counts`);
    },
    async query(text, parameters = []) {
      const { rows } = await pool.query(text, parameters);
      return rows as Record<string, unknown>[];
    },
    async close() {
      await pool.end();
    },
  };
}
