/**
 * Hot queries are built and compiled by Kysely once, then run with new values. Building and compiling
 * (operation-node visitors, freezing) cost more CPU than an indexed read of one row (bench/results/2026-11-26-profiles.md),
 * and the SQL of these queries never changes: only their parameters do.
 */
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Executor } from './executor.js';

/** Stands for a named value while the query is built; where it lands among the parameters is read back after compiling. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** Rows come back as `Row`: the query's author knows their shape, which the schema-less handle does not. */
export type PreparedQuery<Args extends string, Row = Record<string, unknown>> = (
  executor: Executor,
  args: Record<Args, unknown>,
) => Promise<QueryResult<Row>>;

/**
 * `build` makes the query with `value(name)` wherever a value goes (Kysely sends it as a parameter, as
 * it does any value). The query is compiled on first use, by the executor it first runs on (every
 * executor of a store shares its dialect), and keeps its operation node, so a driver still sees what
 * kind of query it runs.
 */
export function prepareQuery<Args extends string, Row = Record<string, unknown>>(
  // A placeholder goes wherever the builder takes a value of any column type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- stands for a value of any type
  build: (db: Executor, value: (name: Args) => any) => Compilable<unknown>,
): PreparedQuery<Args, Row> {
  let compiled: CompiledQuery | undefined;
  return (executor, args) => {
    compiled ??= build(executor, (name) => new Placeholder(name)).compile();
    // Parameters other than placeholders are constants of the query (a table name compared as a value).
    const parameters = compiled.parameters.map((parameter) =>
      parameter instanceof Placeholder ? args[parameter.name as Args] : parameter,
    );
    return executor.executeQuery<Row>({ ...compiled, parameters });
  };
}

/** Prepared queries that differ by a few options (an order, a column), each prepared on first use. */
export function prepareVariants<Key extends (string | boolean)[], Args extends string>(
  variant: (...key: Key) => Parameters<typeof prepareQuery<Args>>[0],
): (...key: Key) => PreparedQuery<Args> {
  const prepared = new Map<string, PreparedQuery<Args>>();
  return (...key) => {
    const name = key.join(' ');
    let query = prepared.get(name);
    if (!query) prepared.set(name, (query = prepareQuery(variant(...key))));
    return query;
  };
}

// SQLite's default SQLITE_MAX_VARIABLE_NUMBER (PostgreSQL allows 65,535).
const MAX_PARAMETERS = 32_766;

/** Splits rows into multi-row statements that each stay within the engines' parameter limit. */
export function chunkRows<T>(rows: T[], columnsPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columnsPerRow));
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}
