/**
 * Which SQL does a list request run, how long does each statement take, and what is its plan?
 * The statements are captured from the service's own repository code (`createResourceRepository`)
 * through Kysely's query log, so they are exactly what the server executes, then explained:
 * PostgreSQL `EXPLAIN (ANALYZE, BUFFERS)`, SQLite `EXPLAIN QUERY PLAN` plus a timed run.
 */
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { postgresAdapter, sqliteAdapter } from '../../src/db/adapter.js';
import { allowPolicies } from '../../src/resources/allow-policies/definition.js';
import { createResourceRepository, type ListOptions } from '../../src/resources/resource-repository.js';

export interface ExplainedStatement {
  sql: string;
  parameters: unknown[];
  /** Duration of the statement when the repository ran it (ms). */
  ms: number;
  plan: string;
}

export interface Explainer {
  explainList(accountId: string, options: ListOptions): Promise<ExplainedStatement[]>;
  close(): Promise<void>;
}

export function openExplainer(url: string): Explainer {
  const captured: { sql: string; parameters: unknown[]; ms: number }[] = [];
  const log = (event: LogEvent) => {
    if (event.level === 'query') {
      captured.push({ sql: event.query.sql, parameters: [...event.query.parameters], ms: event.queryDurationMillis });
    }
  };

  if (url.startsWith('sqlite:')) {
    const connection = new SQLite(url.slice('sqlite:'.length), { readonly: true });
    const db = new Kysely({ dialect: new SqliteDialect({ database: connection }), log });
    const repository = createResourceRepository(allowPolicies, sqliteAdapter);
    return {
      async explainList(accountId, options) {
        captured.length = 0;
        await repository.list(db, accountId, options);
        return captured.map((statement) => {
          const rows = connection.prepare(`explain query plan ${statement.sql}`).all(...statement.parameters) as {
            id: number;
            parent: number;
            detail: string;
          }[];
          // Indent by depth, like the sqlite3 shell's .eqp output.
          const depth = new Map<number, number>([[0, 0]]);
          const plan = rows
            .map((row) => {
              const level = (depth.get(row.parent) ?? 0) + 1;
              depth.set(row.id, level);
              return `${'  '.repeat(level - 1)}${row.detail}`;
            })
            .join('\n');
          return { ...statement, plan };
        });
      },
      close: () => db.destroy(),
    };
  }

  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {});
  const db = new Kysely({ dialect: new PostgresDialect({ pool }), log });
  const repository = createResourceRepository(allowPolicies, postgresAdapter);
  return {
    async explainList(accountId, options) {
      captured.length = 0;
      await repository.list(db, accountId, options);
      const statements = [...captured];
      const explained: ExplainedStatement[] = [];
      for (const statement of statements) {
        const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement.sql}`, statement.parameters);
        explained.push({ ...statement, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
      }
      return explained;
    },
    close: () => db.destroy(),
  };
}
